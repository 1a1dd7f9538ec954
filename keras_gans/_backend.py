"""Select and check the Keras backend before anything imports Keras, without importing it.

keras-gans is written against TensorFlow (tf.GradientTape, tf.distribute, tf.data), so it
sets ``KERAS_BACKEND=tensorflow`` when the user has not chosen a backend, and refuses to run
on another one rather than failing later inside a training step.

Importing TensorFlow takes seconds, so this module does not: ``import keras_gans`` stays
cheap (``keras-gans --help`` and ``keras-gans list`` never load TensorFlow). When TensorFlow
is imported later, whoever imports it, the start-up lines that its C++ runtime writes to
stderr before its log level applies ("Could not find cuda drivers", "failed call to cuInit",
"oneDNN custom operations are on", ...) are dropped; every other line still reaches stderr.
Set ``TF_CPP_MIN_LOG_LEVEL=0`` to see them all.
"""

import contextlib
import json
import os
import sys
import tempfile

from keras_gans._import_hook import around_import

# Whether the user chose TensorFlow's C++ log level (the command line quietens it further
# when not).
LOG_LEVEL_CHOSEN = "TF_CPP_MIN_LOG_LEVEL" in os.environ
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _configured_backend():
    """The backend Keras will pick: $KERAS_BACKEND, else keras.json's, else TensorFlow."""
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"], "the environment variable KERAS_BACKEND"
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    path = os.path.join(home, "keras.json")
    try:
        with open(path) as f:
            backend = json.load(f).get("backend")
    except (OSError, ValueError):
        backend = None
    return (backend, f"the 'backend' entry of {path}") if backend else ("tensorflow", None)


def _refuse(backend, where):
    raise ImportError(
        f"keras-gans needs the TensorFlow backend of Keras, but {where} selects '{backend}'. "
        f"Set the environment variable KERAS_BACKEND=tensorflow before importing keras "
        f"(or change the 'backend' entry of ~/.keras/keras.json)."
    )


# Start-up lines of TensorFlow's runtime that say nothing on a machine without a GPU (or
# whose CPU build is not the fastest possible); written before TF_CPP_MIN_LOG_LEVEL applies.
STARTUP_NOISE = ("All log messages before absl::InitializeLog() is called",
                 "Could not find cuda drivers", "failed call to cuInit",
                 "oneDNN custom operations are on", "Unable to register cuDNN factory",
                 "Unable to register cuFFT factory", "Unable to register cuBLAS factory",
                 "computation placer already registered",
                 "This TensorFlow binary is optimized to use available CPU instructions",
                 "rebuild TensorFlow with the appropriate compiler flags")


@contextlib.contextmanager
def filtered_stderr(noise=STARTUP_NOISE):
    """Capture what is written to file descriptor 2 (C++ code included) and pass on every
    line that contains none of ``noise``."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no file descriptor 2 to redirect
        yield
        return
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            lines = capture.read().decode(errors="replace").splitlines(keepends=True)
            kept = "".join(line for line in lines if not any(n in line for n in noise))
            if kept:
                sys.stderr.write(kept)
                sys.stderr.flush()


def _quietly(exec_module, module):
    """Import TensorFlow, and probe its devices (where the CUDA lines are written), inside
    ``filtered_stderr``."""
    with filtered_stderr():
        exec_module(module)
        module.config.list_physical_devices("GPU")


def _quiet_tensorflow_import():
    try:
        level = int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0"))
    except ValueError:
        level = 0
    if level >= 1:
        around_import("tensorflow", _quietly)


_backend, _where = _configured_backend()
if _backend != "tensorflow":
    _refuse(_backend, _where)
if "keras" in sys.modules and sys.modules["keras"].backend.backend() != "tensorflow":
    _refuse(sys.modules["keras"].backend.backend(), "an earlier import of keras")
os.environ["KERAS_BACKEND"] = "tensorflow"
_quiet_tensorflow_import()
