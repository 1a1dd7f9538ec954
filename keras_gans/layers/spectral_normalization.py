"""Spectral normalisation (Miyato et al. 2018) that keeps its weights exact under mixed
precision.

``keras.layers.SpectralNormalization`` divides the wrapped kernel by its largest singular
value and *writes the result back* into the kernel variable at every training call. Under
a mixed policy (``mixed_bfloat16``, ``mixed_float16``) that division runs in the compute
dtype, so the float32 master kernel is overwritten, every step, with a value rounded to
bfloat16 (8 significant bits): Adam's updates of 1e-4 to 1e-3 of a weight's size, below
half a bfloat16 step, are mostly rounded away again. This subclass runs the power
iteration and the write-back in the variables' dtype, while the wrapped layer still
computes in its own policy's dtype.

It also saves each kernel once. Keras tracks the wrapped layer's kernel a second time as
the wrapper's own variable, so a saved model held every normalised kernel twice (half of
BigGAN's weights file). The wrapper now saves only its power-iteration vector; the kernel is
saved by the wrapped layer, as before. Files written with the duplicate (by Keras's layer, or
by this one before it dropped it) still load.
"""

import keras

from keras_gans import _backend  # noqa: F401


@keras.saving.register_keras_serializable(package="keras_gans")
class SpectralNormalization(keras.layers.SpectralNormalization):
    """``keras.layers.SpectralNormalization`` whose normalised kernel is computed and
    stored in the variables' dtype under any dtype policy.

    Same arguments and weights as the Keras layer: a drop-in replacement that loads the Keras
    layer's files (its own files hold each kernel once, which the Keras layer refuses). The
    wrapper itself takes the policy's *variable* dtype with ``autocast=False``: Keras
    enters a compute-dtype autocast scope for a mixed-policy layer called outside any scope
    even when its ``autocast`` is off, so both are needed for the wrapper to read float32
    kernels; the wrapped layer keeps its mixed policy (its convolution or matmul runs in
    bfloat16) and the output keeps the input's dtype, as in Keras.
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        policy = keras.dtype_policies.get(kwargs.get("dtype") or layer.dtype_policy)
        kwargs["dtype"] = policy.variable_dtype
        kwargs["autocast"] = False
        super().__init__(layer, power_iterations=power_iterations, **kwargs)

    def save_own_variables(self, store):
        store["0"] = self.vector_u

    def load_own_variables(self, store):
        saved = len(store.keys())
        if saved not in (1, 2):
            raise ValueError(f"{self.name}: a saved spectral normalisation holds its "
                             f"power-iteration vector (after the kernel, in files written "
                             f"by keras.layers.SpectralNormalization), not {saved} arrays; "
                             f"the file belongs to another model")
        # With two, the first is the kernel, which the wrapped layer loads itself.
        self.vector_u.assign(store[str(saved - 1)])
