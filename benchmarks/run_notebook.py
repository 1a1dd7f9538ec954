"""Execute one notebook of colab/ top to bottom with nbclient and report its wall time.

    python benchmarks/run_notebook.py colab/03_toys_mode_collapse.ipynb --out runs/nb03
    python benchmarks/run_notebook.py colab/08_scaling.ipynb --out runs/nb08 --smoke

The notebook runs in ``--out`` (its ``runs/`` pictures land there), on the ``python3``
kernel of this Python, without smoke mode unless ``--smoke``. The text outputs of every
code cell go to ``OUT/outputs.txt``; the committed notebook is left untouched.
"""

import argparse
import os
import sys
import time


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("--out", required=True, help="folder to run the notebook in")
    parser.add_argument("--smoke", action="store_true", help="set KERAS_GANS_SMOKE=1")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    args = parser.parse_args(argv)

    import nbclient
    import nbformat

    if args.smoke:
        os.environ["KERAS_GANS_SMOKE"] = "1"
    else:
        os.environ.pop("KERAS_GANS_SMOKE", None)
    os.makedirs(args.out, exist_ok=True)
    notebook = nbformat.read(args.notebook, as_version=4)
    client = nbclient.NotebookClient(notebook, kernel_name="python3", timeout=args.timeout,
                                     resources={"metadata": {"path": args.out}})
    start = time.time()
    try:
        client.execute()
    finally:
        elapsed = time.time() - start
        with open(os.path.join(args.out, "outputs.txt"), "w") as f:
            for cell in notebook.cells:
                for output in cell.get("outputs", []):
                    if output.output_type == "stream":
                        f.write(output.text)
                    elif output.output_type == "error":
                        f.write("\n".join(output.traceback) + "\n")
                    elif "text/plain" in output.get("data", {}):
                        f.write(output["data"]["text/plain"] + "\n")
        print(f"{args.notebook}: {elapsed:.1f} s (smoke mode: {args.smoke}); "
              f"outputs in {args.out}/outputs.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
