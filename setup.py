"""Packaging beyond setup.cfg: the top-level zoo/ folder is installed as the sub-package
``keras_gans.zoo`` (presets, recipes, index and evaluators, with all their data files), so
that ``keras_gans.presets.zoo_dir()`` finds it in an installed package."""

from setuptools import find_packages, setup

ZOO_DATA = [f"{prefix}*.{ext}" for prefix in ("", "**/")
            for ext in ("yaml", "json", "h5", "md", "png", "npz", "keras")]

setup(
    packages=find_packages(include=["keras_gans", "keras_gans.*"]) + ["keras_gans.zoo"],
    package_dir={"keras_gans.zoo": "zoo"},
    package_data={"keras_gans.zoo": ZOO_DATA},
)
