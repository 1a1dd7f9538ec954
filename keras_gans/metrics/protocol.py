"""The protocol record attached to every score: a number without its feature extractor,
sample counts, reference split and resize rule is not reported (DESIGN.md)."""

import dataclasses


@dataclasses.dataclass
class Protocol:
    """How a score was measured.

    Attributes:
        metric: the metric's name and its own parameters (e.g. ``{"name": "kid",
            "subset_size": 1000, "num_subsets": 100}``).
        extractor: feature extractor name, e.g. ``"inception_v3(imagenet)"``.
        extractor_sha256: SHA-256 of the extractor's weights (``None`` for raw features).
        image_size: (height, width) the extractor sees.
        resize_rule: how generated/reference images were brought to ``image_size``.
        num_real: reference samples the score used.
        num_fake: generated samples the score used.
        reference: the reference data and split, e.g. ``"mnist:train"``.
        truncation: truncation used when sampling (``None``: none).
        ema: whether the generator weights were an exponential moving average.
    """

    metric: dict
    extractor: str = "none (features given)"
    extractor_sha256: str = None
    image_size: tuple = None
    resize_rule: str = None
    num_real: int = 0
    num_fake: int = 0
    reference: str = None
    truncation: float = None
    ema: bool = None

    def to_dict(self):
        d = dataclasses.asdict(self)
        if d["image_size"] is not None:
            d["image_size"] = list(d["image_size"])
        return d
