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
import importlib.abc
import importlib.util
import sys
import warnings

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


class _AfterKerasImport(importlib.abc.MetaPathFinder):
    """Wraps the real loader of ``keras`` so that ``callback`` runs once Keras's own
    ``__init__`` has finished; it removes itself on first use."""

    def __init__(self, callback):
        self.callback = callback

    def find_spec(self, name, path=None, target=None):
        if name != "keras":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        exec_module, callback = spec.loader.exec_module, self.callback

        def then_register(module):
            exec_module(module)
            if _keras_gans_initializing():
                return
            try:
                callback()
            except Exception as e:  # keras itself imported fine; say why loading may not
                warnings.warn(f"keras-gans could not register its classes with Keras "
                              f"({type(e).__name__}: {e}); keras.models.load_model will not "
                              f"find them until `import keras_gans.models` succeeds.",
                              stacklevel=2)

        spec.loader.exec_module = then_register
        return spec


def register_when_keras_arrives(submodules):
    """Import the sub-packages now if Keras is imported, else when it is."""
    if "keras" in sys.modules:
        import_all(submodules)
    elif not any(isinstance(f, _AfterKerasImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterKerasImport(lambda: import_all(submodules)))
