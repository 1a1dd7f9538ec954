"""What a model reads from the networks a user passes in: their input and output shapes,
whichever way they were built (functional, ``keras.Sequential`` or a subclass), and
whether a discriminator ends in a probability where the losses expect logits."""

import keras

# Final activations that turn a critic's logits into probabilities.
PROBABILITY_ACTIVATIONS = ("sigmoid", "softmax")


def _check_built(net, role):
    if not isinstance(net, keras.Model):
        raise TypeError(f"`{role}` must be a keras.Model; received {type(net).__name__}.")
    if not net.built:
        raise ValueError(
            f"The {role} '{net.name}' has not been built, so its input shape is unknown. Start "
            f"it with keras.Input(shape=...) (keras.Sequential([keras.Input(shape=...), ...])) "
            f"or call {role}.build(input_shape) before passing it.")


def input_shapes(net, role="network"):
    """The shape of each input of ``net`` without the batch axis, as a list of tuples."""
    _check_built(net, role)
    inputs = getattr(net, "inputs", None)  # functional and Sequential models
    if inputs:
        return [tuple(t.shape[1:]) for t in inputs]
    # A subclassed model records the shapes it was built with.
    built = getattr(net, "_build_shapes_dict", None) or {}
    if len(built) != 1:
        raise ValueError(f"Cannot tell the input shape of the {role} '{net.name}' "
                         f"({type(net).__name__}): build it with {role}.build(input_shape) "
                         f"or call it once on a batch before passing it.")
    shape = next(iter(built.values()))
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return [tuple(s[1:]) for s in shape]
    return [tuple(shape[1:])]


def output_shapes(net, role="network"):
    """The shape of each output of ``net`` without the batch axis, as a list of tuples."""
    _check_built(net, role)
    outputs = getattr(net, "outputs", None)
    if outputs:
        return [tuple(t.shape[1:]) for t in outputs]
    specs = [keras.KerasTensor((None, *shape)) for shape in input_shapes(net, role)]
    try:
        out = net.compute_output_spec(specs if len(specs) > 1 else specs[0])
    except Exception as e:
        raise ValueError(f"Cannot tell the output shape of the {role} '{net.name}' "
                         f"({type(net).__name__}: {e}). Check that it runs on inputs of "
                         f"shapes {[s.shape for s in specs]}.") from e
    return [tuple(t.shape[1:]) for t in keras.tree.flatten(out)]


def _activation_name(layer):
    if isinstance(layer, keras.layers.Softmax):
        return "softmax"
    activation = getattr(layer, "activation", None)
    return getattr(activation, "__name__", None) if activation is not None else None


def _output_layer(net):
    outputs = getattr(net, "outputs", None)
    if outputs:
        history = getattr(outputs[0], "_keras_history", None)
        if history is not None:
            return history[0]
    layers = getattr(net, "layers", None)
    return layers[-1] if layers else None


def final_activation(net):
    """The activation of the layer that makes ``net``'s first output (looking into nested
    models), or ``None`` when it has none or cannot be told (a subclassed model)."""
    layer = _output_layer(net)
    while isinstance(layer, keras.Model):
        layer = _output_layer(layer)
    return _activation_name(layer) if layer is not None else None


def check_returns_logits(discriminator):
    """Refuse a discriminator whose output passes through a sigmoid or softmax: every
    adversarial loss here takes raw scores, and a probability fed to them trains silently
    on the wrong objective (log-sigmoid of a probability saturates)."""
    activation = final_activation(discriminator)
    if activation in PROBABILITY_ACTIVATIONS:
        raise ValueError(
            f"The discriminator '{discriminator.name}' ends in a {activation}, but keras-gans "
            f"losses take raw scores (logits), as keras.losses.BinaryCrossentropy("
            f"from_logits=True) does. Remove the final activation (e.g. "
            f"layers.Dense(1) instead of layers.Dense(1, activation='{activation}')).")
