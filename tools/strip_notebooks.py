"""Strip outputs, execution counts and run metadata from the notebooks in colab/.

Notebooks are committed without outputs, so that a diff shows only what changed in the
code and the text. Plain JSON, no Jupyter package needed:

    python tools/strip_notebooks.py             # strip every colab/*.ipynb in place
    python tools/strip_notebooks.py --check     # exit 1 and name the notebooks that need it
    python tools/strip_notebooks.py a.ipynb     # strip the named files
"""

import argparse
import glob
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Cell metadata that records a run (timings, collapsed/scrolled outputs), not content.
RUN_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")
# Notebook metadata that an editor or a run adds.
NOTEBOOK_RUN_METADATA = ("widgets", "accelerator", "papermill")


def strip(notebook):
    """A copy of the notebook (a dict, as json.load gives) without outputs, execution
    counts and run metadata."""
    notebook = json.loads(json.dumps(notebook))
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        metadata = cell.get("metadata", {})
        for key in RUN_METADATA:
            metadata.pop(key, None)
    for key in NOTEBOOK_RUN_METADATA:
        notebook.get("metadata", {}).pop(key, None)
    return notebook


def dumps(notebook):
    """The notebook as Jupyter writes it (indent 1, keys sorted, trailing newline)."""
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def needs_stripping(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return dumps(strip(json.loads(text))) != text


def strip_file(path):
    """Strip one notebook in place; returns True when the file changed."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    new = dumps(strip(json.loads(text)))
    if new == text:
        return False
    with open(path, "w", encoding="utf-8") as f:
        f.write(new)
    return True


def notebooks():
    return sorted(glob.glob(os.path.join(ROOT, "colab", "*.ipynb")))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="notebooks (default: colab/*.ipynb)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a notebook has outputs")
    args = parser.parse_args(argv)
    paths = args.paths or notebooks()
    if args.check:
        dirty = [p for p in paths if needs_stripping(p)]
        for p in dirty:
            print(f"{p}: has outputs or run metadata; run python tools/strip_notebooks.py")
        return 1 if dirty else 0
    for p in paths:
        if strip_file(p):
            print(f"stripped {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
