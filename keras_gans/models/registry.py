"""The variants by name. Each model class registers itself here (``@register("dcgan")``);
``kg.models.get``, recipes and the CLI read this one table. Every constructor takes the
shape of one example as ``data_shape`` (``keras_gans.models.data_shape``)."""

_VARIANTS = {}
# Other spellings of a name that users write.
_ALIASES = {"wgangp": "wgan-gp"}


def register(name):
    """Class decorator: make the class the variant ``name``."""
    def decorate(cls):
        if _VARIANTS.get(name, cls) is not cls:
            raise ValueError(f"Two classes register the variant {name!r}: "
                             f"{_VARIANTS[name].__name__} and {cls.__name__}.")
        _VARIANTS[name] = cls
        return cls
    return decorate


def variants():
    """``{name: class}`` of every registered variant, by name."""
    return dict(sorted(_VARIANTS.items()))


def get(name):
    """The class of the variant ``name`` (case, ``_`` and ``-`` as users write them)."""
    key = str(name).lower().replace("_", "-")
    key = _ALIASES.get(key, key)
    if key not in _VARIANTS:
        raise ValueError(f"Unknown GAN variant '{name}'. Known variants: "
                         f"{', '.join(sorted(_VARIANTS))}.")
    return _VARIANTS[key]
