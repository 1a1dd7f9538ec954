"""The Colab notebooks run top to bottom in smoke mode, and are committed without outputs.

Each notebook is executed with nbclient, in a temporary folder, with ``KERAS_GANS_SMOKE=1``
(smaller numbers, same code) and no network. The kernel is ipykernel running the very
Python that runs the tests: the test writes its own kernel spec for ``sys.executable`` and
puts it first on ``JUPYTER_PATH``, so no kernel has to be registered beforehand (a fresh
``pip install ".[test]"`` is enough) and a ``python3`` kernel registered for another Python
on the machine is never picked up by mistake.
"""

import glob
import importlib
import importlib.util
import json
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOKS = sorted(glob.glob(os.path.join(ROOT, "colab", "*.ipynb")))
NAMES = [os.path.basename(p) for p in NOTEBOOKS]
EXPECTED = ["01_quickstart.ipynb", "02_dcgan_mnist.ipynb", "03_toys_mode_collapse.ipynb",
            "04_conditional_semi_supervised.ipynb", "05_stylegan.ipynb",
            "06_image_to_image.ipynb", "07_tabular_radialgan.ipynb", "08_scaling.ipynb"]
BADGE = "https://colab.research.google.com/github/keras-gans/keras-gans/blob/main/colab/"
KERNEL = "keras-gans-tests"


def _strip_tool():
    spec = importlib.util.spec_from_file_location(
        "strip_notebooks", os.path.join(ROOT, "tools", "strip_notebooks.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _require(module):
    """The notebook tools come with the test extra; missing, the test fails (never skips)."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        pytest.fail(f"{e}: install the test extra with pip install '.[test]'")


def _read(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _source(cell):
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def test_the_notebooks_are_there():
    for name in EXPECTED:
        assert name in NAMES, f"colab/{name} is missing"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_committed_without_outputs(name):
    notebook = _read(os.path.join(ROOT, "colab", name))
    for i, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{name}, cell {i}: outputs (run tools/strip_notebooks.py)"
            assert cell["execution_count"] is None, f"{name}, cell {i}: an execution count"
    assert not _strip_tool().needs_stripping(os.path.join(ROOT, "colab", name))


@pytest.mark.parametrize("name", NAMES)
def test_every_cell_has_its_own_id(name):
    """nbformat 4.5 requires cell ids (a cell without one is a validation warning now and
    will be an error in later nbformat versions)."""
    notebook = _read(os.path.join(ROOT, "colab", name))
    assert (notebook["nbformat"], notebook["nbformat_minor"]) >= (4, 5)
    ids = [cell.get("id") for cell in notebook["cells"]]
    missing = [i for i, cell_id in enumerate(ids) if not cell_id]
    assert not missing, f"{name}: cells {missing} have no id"
    assert len(set(ids)) == len(ids), f"{name}: repeated cell ids"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_has_badge_install_and_strategy_cells(name):
    cells = _read(os.path.join(ROOT, "colab", name))["cells"]
    assert BADGE + name in _source(cells[0]), "the first cell needs its Open in Colab badge"
    code = [_source(c) for c in cells if c["cell_type"] == "code"]
    assert 'if "google.colab" in sys.modules' in code[0], "the first code cell installs"
    assert any("kg.distribute.get_strategy(" in c for c in code)
    assert any('os.environ.get("KERAS_GANS_SMOKE") == "1"' in c for c in code)


def test_strip_removes_outputs_counts_and_run_metadata(tmp_path):
    tool = _strip_tool()
    notebook = {
        "cells": [
            {"cell_type": "code", "execution_count": 3, "id": "a",
             "metadata": {"execution": {"iopub.status.busy": "x"}, "tags": ["keep"]},
             "outputs": [{"output_type": "stream", "name": "stdout", "text": ["hi\n"]}],
             "source": ["print('hi')"]},
            {"cell_type": "markdown", "id": "b", "metadata": {}, "source": ["# Title"]},
        ],
        "metadata": {"widgets": {"state": {}}, "kernelspec": {"name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(notebook))
    assert tool.needs_stripping(str(path))
    assert tool.main(["--check", str(path)]) == 1
    assert tool.main([str(path)]) == 0
    stripped = json.loads(path.read_text())
    code, text = stripped["cells"]
    assert code["outputs"] == [] and code["execution_count"] is None
    assert code["metadata"] == {"tags": ["keep"]}
    assert code["source"] == ["print('hi')"] and text["source"] == ["# Title"]
    assert stripped["metadata"] == {"kernelspec": {"name": "python3"}}
    assert tool.main(["--check", str(path)]) == 0
    assert not tool.strip_file(str(path))  # already stripped: unchanged


@pytest.fixture(scope="module")
def jupyter_path(tmp_path_factory):
    """A folder holding a kernel spec that runs ipykernel on this test's Python."""
    _require("ipykernel")
    folder = tmp_path_factory.mktemp("jupyter")
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "keras-gans tests", "language": "python"}))
    return str(folder)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_in_smoke_mode(name, tmp_path, monkeypatch, jupyter_path):
    nbclient = _require("nbclient")
    nbformat = _require("nbformat")
    monkeypatch.setenv("JUPYTER_PATH", jupyter_path)
    # The kernel inherits this environment: smoke mode, quiet TensorFlow, and the checkout
    # importable (an editable or a regular install works too).
    monkeypatch.setenv("KERAS_GANS_SMOKE", "1")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in (ROOT, os.environ.get("PYTHONPATH")) if p))
    notebook = nbformat.read(os.path.join(ROOT, "colab", name), as_version=4)
    client = nbclient.NotebookClient(notebook, kernel_name=KERNEL, timeout=300,
                                     resources={"metadata": {"path": str(tmp_path)}})
    # The kernel is this Python, not some other "python3" registered on the machine.
    assert client.create_kernel_manager().kernel_spec.argv[0] == sys.executable
    client.execute()
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    # Every code cell ran, and the notebook wrote its pictures into its own folder.
    assert all(c.execution_count for c in notebook.cells if c.cell_type == "code")
    assert glob.glob(str(tmp_path / "runs" / "**" / "*.png"), recursive=True)
