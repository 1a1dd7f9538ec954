"""A one-shot import hook: run code around the first import of one module, whoever imports
it, without importing it now (``_backend`` quietens TensorFlow's start-up this way, and
``_keras_registration`` registers keras-gans's classes once Keras has loaded)."""

import importlib.abc
import importlib.util
import sys


class AroundImport(importlib.abc.MetaPathFinder):
    """Executes module ``name`` through ``around(exec_module, module)`` instead of
    ``exec_module(module)`` on its first import; removes itself on first use."""

    def __init__(self, name, around):
        self.name, self.around = name, around

    def find_spec(self, name, path=None, target=None):
        if name != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)   # the real one, from the other finders
        if spec is None or spec.loader is None:
            return spec
        exec_module, around = spec.loader.exec_module, self.around
        spec.loader.exec_module = lambda module: around(exec_module, module)
        return spec


def around_import(name, around):
    """Install the hook for ``name`` unless it is imported already or hooked."""
    if name not in sys.modules and not any(
            isinstance(f, AroundImport) and f.name == name for f in sys.meta_path):
        sys.meta_path.insert(0, AroundImport(name, around))
