"""The zoo's files (presets, recipes, index.yaml), installed as ``keras_gans.zoo``.

Find this folder with ``keras_gans.presets.zoo_dir()``; it holds no code."""
