"""``fit`` with checkpoints that resume exactly where a run stopped, even mid-epoch.

Keras's ``BackupAndRestore`` restores the weights and the epoch, but an interrupted epoch
starts again from its first batch and the data order starts again from the first epoch's.
Here the data is one endless, seeded stream of batches (the data set repeated, reshuffled
each epoch), so batch ``k`` of the run is the same batch on every run; a resumed run skips
the ``step`` batches already trained on, finishes the interrupted epoch with the batches it
had left, then continues with whole epochs.
"""

import os

import keras

from keras_gans import callbacks as callbacks_lib
from keras_gans import stop_signal


class _RunProgress(keras.callbacks.ProgbarLogger):
    """Keras's progress bar, numbering epochs out of the run's total. A resumed run
    finishes its interrupted epoch in a ``fit`` call of its own, which Keras alone would
    show as the last epoch ("Epoch 10/10" of a 40-epoch run)."""

    def __init__(self, epochs):
        super().__init__()
        self.run_epochs = epochs

    def set_params(self, params):
        super().set_params(params)
        self.epochs = self.run_epochs


def steps_in(dataset):
    count = int(dataset.cardinality())
    if count < 1:
        raise ValueError("The data set is infinite or of unknown length; pass steps_per_epoch.")
    return count


def fit(model, data, epochs, directory, steps_per_epoch=None, save_freq="epoch",
        callbacks=(), verbose=1, keep=2, method="fit", run=None, clock_from=None):
    """Train ``model`` for ``epochs`` epochs, checkpointing into ``directory``.

    Calling it again with the same arguments after an interruption continues from the last
    checkpoint: weights, EMA weights, optimizer states, step and epoch, the model's random
    state and the position in the data stream. Returns the checkpoint callback (its
    ``restored`` tells where the run resumed from).

    ``data`` is a function that builds the data set (e.g. ``lambda: kg.data.load("digits",
    64, seed=0)``), or a data set. The data set must be finite, not repeated, and yield the
    same batches for the same seed on every run, as ``kg.data.load(..., seed=...)`` does.
    Pass a function: a seeded ``shuffle`` keeps its position in the sequence of epoch orders
    in the data set object, so each ``fit`` call (a resumed run makes two) needs a fresh
    one for its orders to be those of an uninterrupted run.

    ``method`` names the model's training method: ``"fit"``, or another that takes
    ``fit``'s arguments (checkpoints count the model's ``step_counter``). A phase that
    trains other players, such as SRGAN's MSE pre-training, is a model of its own
    (``model.pretraining_objective()``, an SRResNet) trained with its ``fit``.

    ``run`` names the run in its checkpoints (``Checkpoint``'s ``run``); a checkpoint of
    another run is refused. ``clock_from`` (``Checkpoint``'s) times this process's
    training from an earlier moment, such as the process's start.

    SIGTERM or Ctrl-C stops the run after the step under way, with a checkpoint there, by
    raising ``TrainingStopped``; a second one stops at once (``keras_gans.stop_signal``).
    """
    make = data if callable(data) else (lambda: data)
    spe = int(steps_per_epoch or steps_in(make()))
    checkpoint = callbacks_lib.Checkpoint(os.path.join(directory), save_freq=save_freq,
                                          keep=keep, steps_per_epoch=spe, run=run,
                                          clock_from=clock_from)
    state = checkpoint.latest()
    step = state["step"] if state else 0
    # EMA first (the checkpoint saves its update), then the guard (so nothing is saved
    # after a NaN), then the checkpoint, then the rest.
    ordered = sorted(callbacks, key=lambda c: (not isinstance(c, callbacks_lib.EMA),
                                               not isinstance(c, callbacks_lib.DivergenceGuard)))
    first = [c for c in ordered if isinstance(c, (callbacks_lib.EMA,
                                                  callbacks_lib.DivergenceGuard))]
    rest = [c for c in ordered if c not in first]
    all_callbacks = first + [checkpoint] + rest
    for cb in all_callbacks:   # those that name the run's checkpoint (DivergenceGuard, BestModel)
        if cb is not checkpoint and getattr(cb, "checkpoint", False) is None:
            cb.checkpoint = checkpoint

    epoch, batch = divmod(step, spe)
    if state is not None:
        print(f"Resuming from {state['path']}: epoch {epoch + 1}, batch {batch} "
              f"(step {step}).", flush=True)
    segments = []
    if batch:
        segments.append((epoch, epoch + 1, spe - batch, step))
        epoch += 1
    if epoch < epochs:
        segments.append((epoch, epochs, spe, epoch * spe))
    train = getattr(model, method)
    if verbose and not any(isinstance(c, keras.callbacks.ProgbarLogger) for c in callbacks):
        all_callbacks.append(_RunProgress(epochs))   # Keras then adds no bar of its own
    with stop_signal.checkpoint_on_signals(checkpoint, model.distribute_strategy):
        for initial_epoch, last_epoch, steps, skip in segments:
            train(make().repeat().skip(skip), initial_epoch=initial_epoch, epochs=last_epoch,
                  steps_per_epoch=steps, callbacks=all_callbacks, verbose=verbose)
            # The first fit() restored the checkpoint; later ones continue in memory.
            checkpoint._restore_on_begin = False
        if segments:
            checkpoint.save()
    if not segments and state is not None:  # already complete: load its final state
        for cb in all_callbacks:
            cb.set_model(model)
        checkpoint.restore()
    return checkpoint


def _networks(model):
    """The model's networks by attribute name (generator, discriminator, EMA generator...)."""
    import keras

    return {name: value for name, value in vars(model).items()
            if isinstance(value, keras.Model) and not name.startswith("_")}


def initialize_from(model, source):
    """Start ``model`` from the weights of ``source`` (a trained model of the same
    architecture, e.g. a zoo preset): every network's weights, including the EMA
    generator's, and the model's own state (StyleGAN's average w, ProGAN's growth stage).
    Optimizer states are not copied: the optimizers start afresh. Raises a ValueError that
    names the network whose weights do not fit."""
    import keras

    if source.has_ema and model.supports_ema:
        model.enable_ema()
    targets, sources = _networks(model), _networks(source)
    missing = sorted(set(targets) - set(sources))
    if missing or not targets:
        raise ValueError(f"Cannot initialise a {type(model).__name__} from a "
                         f"{type(source).__name__}: the source has no {', '.join(missing)}.")
    for name, net in targets.items():
        weights = sources[name].get_weights()
        shapes = [tuple(w.shape) for w in weights]
        expected = [tuple(v.shape) for v in net.weights]
        if shapes != expected:
            raise ValueError(f"The {name} of the source does not fit this model's: its "
                             f"{len(shapes)} weights have shapes {shapes[:3]}..., this "
                             f"model's {len(expected)} have {expected[:3]}.... Build the "
                             f"model with the source's architecture (the preset's config).")
        net.set_weights(weights)
    _copy_own_state(model, source)
    return model


def _copy_own_state(model, source):
    """The model's own variables (outside its networks), matched by name."""
    import keras

    inside = {id(v) for net in _networks(model).values() for v in net.weights}
    own = {v.name: v for v in source.weights
           if id(v) not in {id(w) for n in _networks(source).values() for w in n.weights}}
    for variable in model.weights:
        if id(variable) in inside or variable.name not in own:
            continue
        value = keras.ops.convert_to_numpy(own[variable.name])
        if tuple(value.shape) == tuple(variable.shape):
            variable.assign(value)


def fold_ema(model):
    """A copy of ``model`` whose generator holds the EMA generator's weights and that has
    no separate EMA copy: it samples the same images in a file with one generator fewer
    (what a preset ships when size matters). The discriminator and state are kept."""
    config = {k: v for k, v in model.get_config().items() if k != "ema"}
    folded = type(model).from_config(config)
    folded.ema_folded = True
    for name, net in _networks(folded).items():
        source = model.ema_generator if name == "generator" else getattr(model, name)
        net.set_weights(source.get_weights())
    _copy_own_state(folded, model)
    return folded


def _with_policy_names(config, policy):
    """``config`` with every serialised dtype policy replaced by ``policy``."""
    if isinstance(config, dict):
        if config.get("class_name") in ("DTypePolicy", "FloatDTypePolicy"):
            return {**config, "config": {**config.get("config", {}), "name": policy}}
        return {k: _with_policy_names(v, policy) for k, v in config.items()}
    if isinstance(config, list):
        return [_with_policy_names(v, policy) for v in config]
    return config


def with_dtype_policy(model, policy="float32"):
    """A copy of ``model`` whose layers compute under the Keras dtype policy ``policy``,
    with the same weights (variables are float32 under every policy): a model trained
    under ``mixed_bfloat16`` ships as a float32 preset, which draws the same images on any
    machine, at float32 precision. ``model`` itself where it already computes so."""
    import keras

    if all(layer.dtype_policy.name == policy
           for net in _networks(model).values() for layer in net.layers):
        return model
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(policy)   # networks built by the variant
    try:
        clone = type(model).from_config(_with_policy_names(model.get_config(), policy))
    finally:
        keras.mixed_precision.set_global_policy(previous)
    if model.has_ema and not clone.has_ema:
        clone.enable_ema()
    clone.ema_folded = model.ema_folded
    for name, net in _networks(clone).items():
        net.set_weights(getattr(model, name).get_weights())
    _copy_own_state(clone, model)
    return clone
