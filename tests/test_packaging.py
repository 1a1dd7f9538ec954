"""A real, non-editable install carries the zoo: a fresh virtual environment loads a preset
from outside the repository. The environment reuses this one's packages (a .pth file), so
the install needs no network: ``pip install --no-deps --no-build-isolation``."""

import os
import shutil
import site
import subprocess
import sys
import sysconfig

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = ("keras_gans", "zoo", "setup.py", "setup.cfg", "pyproject.toml", "README.md")


def test_a_fresh_install_loads_a_preset_outside_the_repository(tmp_path):
    source = tmp_path / "source"
    for item in SOURCES:
        path = os.path.join(ROOT, item)
        if os.path.isdir(path):
            shutil.copytree(path, source / item,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(path, source / item)
    venv = tmp_path / "venv"
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
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--no-index", str(source)], check=True, env=env, cwd=str(tmp_path))
    script = (
        "import os, keras_gans as kg\n"
        "assert os.path.realpath(kg.__file__).startswith(os.path.realpath(" + repr(purelib) +
        ")), kg.__file__\n"
        "zoo = kg.presets.zoo_dir()\n"
        "assert zoo.startswith(os.path.dirname(kg.__file__)), zoo\n"
        "names = kg.list_models()\n"
        "assert names, 'no presets installed'\n"
        "for name in names:\n"
        "    for f in kg.presets.PRESET_FILES:\n"
        "        assert os.path.isfile(os.path.join(zoo, name, f)), (name, f)\n"
        "    assert os.path.isfile(os.path.join(zoo, 'recipes', name + '.yaml')), name\n"
        "x = kg.load(names[0]).generate(2, seed=0)\n"
        "print('OK', names[0], x.shape)\n")
    out = subprocess.run([python, "-c", script], capture_output=True, text=True, env=env,
                         cwd=str(tmp_path))
    assert out.returncode == 0 and "OK" in out.stdout, out.stderr[-3000:]
