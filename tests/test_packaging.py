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
import json
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
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel[0]],
                   check=True, env=env, cwd=str(tmp))
    work = tmp / "user"
    work.mkdir()
    return python, str(venv / "bin" / "keras-gans"), purelib, work, env


def _run(command, installed, timeout=600):
    _, _, _, work, env = installed
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=str(work),
                            timeout=timeout)
    assert result.returncode == 0, (command, result.stdout[-2000:], result.stderr[-3000:])
    return result


def test_the_wheel_installs_the_zoo_and_loads_every_preset(installed):
    python, _, purelib, _, _ = installed
    script = (
        "import os, keras_gans as kg\n"
        f"assert os.path.realpath(kg.__file__).startswith(os.path.realpath({purelib!r})), "
        "kg.__file__\n"
        "zoo = kg.presets.zoo_dir()\n"
        "assert zoo.startswith(os.path.dirname(kg.__file__)), zoo\n"
        "names = kg.list_models()\n"
        "assert len(names) >= 13, names\n"
        "for name in names:\n"
        "    for f in kg.presets.PRESET_FILES:\n"
        "        assert os.path.isfile(os.path.join(zoo, name, f)), (name, f)\n"
        "    assert os.path.isfile(os.path.join(zoo, 'recipes', name + '.yaml')), name\n"
        "    model = kg.load(name)\n"
        "    print('loaded', name, type(model).__name__)\n"
        "for e in kg.metrics.evaluators.EVALUATORS:\n"
        "    kg.metrics.evaluators.load_evaluator(e)\n"
        "print('OK')\n")
    out = _run([python, "-c", script], installed)
    assert out.stdout.count("loaded ") >= 13 and "OK" in out.stdout
    for noise in ("cuda drivers", "cuInit", "oneDNN"):
        assert noise not in out.stderr, out.stderr[-2000:]


def test_keras_gans_sample_works_for_every_preset_outside_the_checkout(installed):
    python, script, _, work, _ = installed
    names = json.loads(_run([python, "-c", "import json, keras_gans as kg; "
                             "print(json.dumps(kg.list_models()))"], installed).stdout)
    for name in names:
        tabular = name.endswith("-adult")
        output = f"{name}.csv" if tabular else f"{name}.png"
        _run([script, "sample", name, "-n", "4", "-o", output], installed)
        assert os.path.getsize(work / output) > 0, name
        if tabular:
            header = (work / output).read_text().splitlines()[0]
            assert "Salary" in header, (name, header)


def test_keras_gans_eval_scores_every_image_preset_with_the_installed_evaluators(installed):
    python, script, _, work, _ = installed
    index = json.loads(_run([python, "-c", "import json, keras_gans as kg; "
                             "print(json.dumps(kg.presets.read_index()))"], installed).stdout)
    images = {n: e for n, e in index.items() if len(e.get("data_shape") or []) == 3}
    assert len(images) >= 6, sorted(images)
    for name, entry in images.items():
        extractor = "fashion_mnist" if entry["dataset"] == "fashion_mnist" else "mnist"
        out = _run([script, "eval", name, "--metric", "fid", "--reference", "digits",
                    "--extractor", extractor, "--num-samples", "100", "--num-reference", "100",
                    "--json", f"{name}.json"], installed)
        assert f"classifier({extractor})" in out.stdout, out.stdout
        result = json.loads((work / f"{name}.json").read_text())["results"]
        assert result["fid"]["fid"] >= 0, name
