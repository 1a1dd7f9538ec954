"""The installed package, as a user gets it: a wheel built from the checkout is installed into a
fresh virtual environment, and every preset is loaded, sampled (``keras-gans sample``) and,
for the image presets, scored (``keras-gans eval`` with the installed domain evaluators)
from a folder outside the checkout. Tests run from the checkout cannot see files that the
wheel leaves out or paths that only exist beside the source.

The environment reuses this one's packages (a .pth file), so the install needs no network:
``pip wheel/install --no-deps --no-build-isolation --no-index``. Marked ``packaging``; it
runs with the rest of the suite (and so in CI), ``-m "not packaging"`` skips it.
"""

import glob
import os
import shutil
import site
import subprocess
import sys
import sysconfig

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = ("keras_gans", "zoo", "setup.py", "setup.cfg", "pyproject.toml", "README.md")

pytestmark = pytest.mark.packaging


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(python, keras-gans script, purelib, a work folder outside the checkout, env)."""
    tmp = tmp_path_factory.mktemp("packaging")
    source = tmp / "source"
    for item in SOURCES:
        path = os.path.join(ROOT, item)
        if os.path.isdir(path):
            shutil.copytree(path, source / item,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(path, source / item)
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()"
                              "['purelib'])"], check=True, capture_output=True,
                             text=True).stdout.strip()
    # This environment's packages (TensorFlow, Keras, pip, setuptools) after the new one's.
    ours = [p for p in site.getsitepackages() + [sysconfig.get_paths()["purelib"]]
            if os.path.isdir(p)]
    with open(os.path.join(purelib, "zz_reuse_deps.pth"), "w") as f:
        f.write("\n".join(dict.fromkeys(ours)) + "\n")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "TF_CPP_MIN_LOG_LEVEL", "KERAS_GANS_DATA")}
    wheels = tmp / "wheels"
    subprocess.run([python, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--no-index", "-w", str(wheels), str(source)], check=True, env=env,
                   cwd=str(tmp))
    wheel = glob.glob(str(wheels / "keras_gans-*.whl"))
    assert len(wheel) == 1, os.listdir(wheels)
    # --ignore-installed: where keras-gans is installed in this environment (CI installs
    # ".[test]"), pip sees it through the .pth file and would otherwise install nothing.
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    "--ignore-installed", wheel[0]], check=True, env=env, cwd=str(tmp))
    work = tmp / "user"
    work.mkdir()
    return python, str(venv / "bin" / "keras-gans"), purelib, work, env


def _run(command, installed, timeout=900):
    _, _, _, work, env = installed
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=str(work),
                            timeout=timeout)
    assert result.returncode == 0, (command, result.stdout[-3000:], result.stderr[-3000:])
    return result


# One process for every preset (each TensorFlow start costs seconds): the installed
# command line's main(), the code behind `keras-gans sample` and `keras-gans eval`.
USER_SESSION = """
import json, os, sys
import keras_gans as kg
from keras_gans import cli

purelib = sys.argv[1]
assert os.path.realpath(kg.__file__).startswith(os.path.realpath(purelib)), kg.__file__
zoo = kg.presets.zoo_dir()
assert zoo.startswith(os.path.dirname(kg.__file__)), zoo
index = kg.presets.read_index()
assert len(index) >= 13, sorted(index)
for name, entry in sorted(index.items()):
    for f in kg.presets.PRESET_FILES:
        assert os.path.isfile(os.path.join(zoo, name, f)), (name, f)
    assert os.path.isfile(os.path.join(zoo, "recipes", name + ".yaml")), name
    kg.load(name)
    tabular = name.endswith("-adult")
    output = name + (".csv" if tabular else ".png")
    assert cli.main(["sample", name, "-n", "4", "-o", output]) == 0, name
    assert os.path.getsize(output) > 0, name
    if tabular:
        assert "Salary" in open(output).readline(), name
    if len(entry.get("data_shape") or []) == 3:
        # The evaluator of the preset's kind of images: grey digits or clothes, anime faces,
        # or other colour images.
        extractor = ("anime" if entry["dataset"] == "anime-faces" else
                     "cifar10" if entry["data_shape"][-1] == 3 else
                     "fashion_mnist" if entry["dataset"] == "fashion_mnist" else "mnist")
        assert cli.main(["eval", name, "--metric", "fid", "--reference", "digits",
                         "--extractor", extractor, "--num-samples", "100",
                         "--num-reference", "100", "--json", name + ".json"]) == 0, name
        result = json.load(open(name + ".json"))["results"]
        assert result["fid"]["protocol"]["extractor"] == "classifier(" + extractor + ")"
    # export serves a generator of noise (and labels); image-to-image and table presets
    # have none, and export and eval refuse them in one line rather than a traceback.
    from_noise = not tabular and "input_shape" not in entry
    assert cli.main(["export", name, "--out", name + "-export"]) == (0 if from_noise else 2), name
    assert os.path.isdir(name + "-export") == from_noise, name
    if not from_noise:
        assert cli.main(["eval", name, "--metric", "fid", "--reference", "digits"]) == 2, name
    print("checked", name, flush=True)
for name in kg.metrics.evaluators.EVALUATORS:
    kg.metrics.evaluators.load_evaluator(name)
"""


def test_every_preset_loads_samples_and_scores_from_the_installed_package(installed):
    python, _, purelib, work, _ = installed
    out = _run([python, "-c", USER_SESSION, purelib], installed)
    checked = [line.split()[1] for line in out.stdout.splitlines() if line.startswith("checked")]
    assert len(checked) >= 13, out.stdout[-3000:]
    for noise in ("cuda drivers", "cuInit", "oneDNN"):
        assert noise not in out.stderr, out.stderr[-2000:]
    images = [n for n in checked if (work / f"{n}.json").exists()]
    assert len(images) >= 7, images  # every noise-to-image preset was scored


def test_the_console_script_lists_the_installed_zoo_without_tensorflow(installed):
    _, script, _, _, _ = installed
    out = _run([script, "list"], installed, timeout=60)
    assert "dcgan-mnist" in out.stdout and "fid 9.46" in out.stdout
    assert out.stderr == ""
