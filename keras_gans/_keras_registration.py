"""Register keras-gans's serializable classes with Keras as soon as Keras is in use.

``import keras_gans`` imports none of its sub-packages (they import TensorFlow, which takes
seconds), but ``keras.models.load_model`` finds the classes of a saved keras-gans model
(``keras_gans>WGAN``, its layers, losses and penalties) only once their modules have run.
So every sub-package is imported as soon as Keras is imported too, whichever comes first:

- Keras already imported when keras-gans is: at once (``keras_gans/__init__``);
- Keras imported by the first use of a sub-package (``kg.models``): right after it;
- Keras imported later by the user (``import keras_gans as kg; import keras``): right after
  Keras has finished importing, by a one-shot import hook.
"""

import importlib
import sys
import warnings

from keras_gans._import_hook import around_import

_state = {"done": False}


def import_all(submodules):
    """Import every sub-package of keras-gans (once), which registers its classes."""
    if _state["done"]:
        return
    _state["done"] = True   # first, because the sub-packages import one another
    try:
        for name in submodules:
            importlib.import_module(f"keras_gans.{name}")
    except BaseException:
        _state["done"] = False
        raise


def _keras_gans_initializing():
    """Whether a keras-gans module is being imported right now: then Keras arrived from
    inside it, and the package's ``__getattr__`` imports the rest once it has finished."""
    return any(getattr(getattr(module, "__spec__", None), "_initializing", False)
               for name, module in list(sys.modules.items())
               if name == "keras_gans" or name.startswith("keras_gans."))


def _then_register(submodules):
    def load(exec_module, module):
        exec_module(module)
        if _keras_gans_initializing():
            return
        try:
            import_all(submodules)
        except Exception as e:  # keras itself imported fine; say why loading may not
            warnings.warn(f"keras-gans could not register its classes with Keras "
                          f"({type(e).__name__}: {e}); keras.models.load_model will not "
                          f"find them until `import keras_gans.models` succeeds.",
                          stacklevel=2)
    return load


def register_when_keras_arrives(submodules):
    """Import the sub-packages now if Keras is imported, else right after it is."""
    if "keras" in sys.modules:
        import_all(submodules)
    else:
        around_import("keras", _then_register(submodules))
