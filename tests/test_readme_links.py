"""README.md's links and pictures point at files and headings that exist, and its tables
cover every preset of the zoo and every registered variant."""

import glob
import os
import re

import pytest
import yaml

import keras_gans as kg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")


def _read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def _prose(text):
    # Links inside fenced code blocks are code, not links.
    return re.sub(r"```.*?```", "", text, flags=re.S)


def _slug(heading):
    # GitHub's heading anchors: lower case, punctuation dropped, spaces become hyphens.
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path):
    return {_slug(line.lstrip("#")) for line in _prose(_read(path)).splitlines()
            if line.startswith("#")}


def _section(title):
    text = _read("README.md")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end >= 0 else len(text)]


def _links():
    return LINK.findall(_prose(_read("README.md")))


def test_relative_links_and_pictures_exist():
    checked = 0
    for _, _, target in _links():
        if re.match(r"[a-z]+://", target):
            continue
        path, _, anchor = target.partition("#")
        path = path or "README.md"
        checked += 1
        assert os.path.exists(os.path.join(ROOT, path)), f"README links to a missing {path}"
        if anchor:
            assert anchor in _anchors(path), f"README links to a missing heading {target}"
    assert checked >= 30


def test_slug_matches_github():
    assert _slug("## SRGAN ×4: PSNR and SSIM against bicubic on scikit-image's photos (issue 8)"
                 .lstrip("#")) == "srgan-4-psnr-and-ssim-against-bicubic-on-scikit-images-photos-issue-8"
    assert _slug("Use from Python") == "use-from-python"


def _presets():
    with open(os.path.join(ROOT, "zoo", "index.yaml")) as f:
        return yaml.safe_load(f)["presets"]


def test_every_preset_is_in_the_gallery_and_the_presets_table():
    gallery, table = _section("Gallery"), _section("Presets")
    pictures = {target for bang, _, target in LINK.findall(gallery) if bang}
    for name, entry in _presets().items():
        assert f"zoo/{name}/samples.png" in pictures, f"{name} has no picture in the Gallery"
        row = [line for line in table.splitlines() if line.startswith(f"| [`{name}`]")]
        assert len(row) == 1, f"{name} has no row in the Presets table"
        fid = entry.get("metrics", {}).get("evaluator_scores", {}).get("fid")
        if fid is not None:
            assert f"FID {fid:.1f}" in row[0], f"{name}: the table's FID is not {fid:.1f}"


def test_every_variant_has_a_row_with_a_preset_and_a_measurement():
    rows = [line for line in _section("Variants").split("### ")[0].splitlines()
            if line.startswith("| ") and "`kg.models." in line]
    presets = _presets()
    for cls in set(kg.models.VARIANTS.values()):
        row = [r for r in rows if re.search(rf"`kg\.models\.{cls.__name__}[`(]", r)]
        assert len(row) == 1, f"{cls.__name__} has no row in the Variants table"
        cells = [c.strip() for c in row[0].strip("|").split(" | ")]
        assert len(cells) == 5, row[0]
        shipped = [n for n, e in presets.items() if kg.models.get(e["variant"]) is cls]
        for name in shipped:
            assert f"`{name}`" in cells[3], f"{cls.__name__}: preset {name} is not named"
        if not shipped:
            assert cells[3].startswith("none"), f"{cls.__name__}: no preset ships, says {cells[3]}"
        assert cells[4], f"{cls.__name__}: the measured column is empty"


def test_every_notebook_is_linked():
    linked = {target for _, _, target in _links()}
    notebooks = sorted(glob.glob(os.path.join(ROOT, "colab", "*.ipynb")))
    assert len(notebooks) == 8
    for path in notebooks:
        assert os.path.relpath(path, ROOT) in linked, f"README does not link {path}"
