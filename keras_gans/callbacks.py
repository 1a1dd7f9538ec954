"""Callbacks for ``GAN.fit``: sample grids, the EMA generator, checkpoints that resume
exactly, a divergence guard, a history file and a hook for evaluation at intervals."""

import csv
import json
import math
import os
import shutil
import time

import keras
import numpy as np
import tensorflow as tf

from keras_gans import plots
from keras_gans.training_clock import TrainingClock
from keras_gans.stop_signal import TrainingStopped


def _global_step(model):
    """Generator updates so far: the model's ``step_counter``, saved with its optimizer's
    state."""
    return int(model.step_counter.numpy())


def _as_float(value):
    try:
        return float(np.asarray(value))
    except (TypeError, ValueError):
        return None


class SampleGrid(keras.callbacks.Callback):
    """Write ``epoch_NNN.png`` with samples from fixed latent vectors after each epoch, so
    successive pictures show the same z and progress is comparable.

    Images become a grid; 2-D points become a scatter plot. With ``tensorboard_dir`` the
    same picture is also logged as a TensorBoard image (tag ``samples``, step = epoch).
    Samples come from the EMA generator when the model has one.

    For an image-to-image model (SimGAN, CycleGAN, SRGAN: see ``keras_gans.tasks``) pass
    ``inputs``, a fixed batch of input images: each picture then shows every input beside
    what the model makes of it (``num_samples`` and ``seed`` are not used). For 2-D points,
    ``centres`` (the modes of a toy mixture) are marked on the scatter plot.
    """

    def __init__(self, directory, num_samples=64, seed=0, every=1, tensorboard_dir=None,
                 inputs=None, centres=None):
        super().__init__()
        self.centres = centres
        self.inputs = None if inputs is None else np.asarray(inputs, "float32")
        self.directory = directory
        self.num_samples = num_samples
        self.seed = seed
        self.every = every
        self.tensorboard_dir = tensorboard_dir
        self._z = None
        self._writer = None
        self.paths = []

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        path = os.path.join(self.directory, f"epoch_{epoch + 1:03d}.png")
        if self.inputs is not None:
            self.paths.append(self.model.save_preview(path, inputs=self.inputs))
        else:
            if self._z is None:
                self._z = self.model.latent_vectors(self.num_samples, self.seed)
            self.paths.append(self.model.save_preview(path, z=self._z, centres=self.centres))
        if self.tensorboard_dir:
            if self._writer is None:
                self._writer = tf.summary.create_file_writer(self.tensorboard_dir)
            self._log_image(path, epoch + 1)

    def _log_image(self, path, step):
        # tf.summary.image needs the tensorboard package; writing the image plugin's record
        # ([width, height, png]) directly needs only TensorFlow.
        from tensorflow.core.framework import summary_pb2

        png = tf.io.read_file(path)
        shape = tf.shape(tf.io.decode_png(png))
        record = tf.stack([tf.strings.as_string(shape[1]), tf.strings.as_string(shape[0]), png])
        metadata = summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="images"))
        with self._writer.as_default():
            tf.summary.write("samples", record, step=step,
                             metadata=metadata.SerializeToString())
        self._writer.flush()


class EMA(keras.callbacks.Callback):
    """Exponential moving average of the generator's weights (Karras et al. 2018; Yazici et
    al. 2019): ``ema = decay * ema + (1 - decay) * weights`` after every generator update.

    The average lives in ``model.ema_generator`` (created by ``model.enable_ema()`` when the
    callback is attached), is saved with the model and is what ``generate`` samples from.
    Steps are counted as ``t = step + steps_before``. Up to ``start_step`` the average
    simply copies the weights. Non-trainable weights (batch-norm statistics) are copied, not
    averaged.

    ``rampup`` (StyleGAN2-ADA's ``ema_rampup``, 0.05 there) caps the average's half-life at
    that fraction of the steps trained so far: the decay is
    ``min(decay, 0.5 ** (1 / (rampup * t)))``. Early in a run, or in a short run whose
    networks change fast (ProGAN's growth stages), the average then does not hold on to
    weights the generator has long left behind.

    ``steps_before`` counts, in this run's batches, the training the weights already had
    when the run started: a run that continues a preset's training (``init_from``) gives
    its source's, as StyleGAN2-ADA's ``resume_kimg`` does, so that its average neither
    copies the raw generator again for ``start_step`` steps nor ramps its half-life up from
    nothing (either makes the first hundreds or thousands of steps' average little more
    than the raw generator). Fine-tuning on other data leaves it at 0: the average should
    follow the adaptation quickly.
    """

    def __init__(self, decay=0.999, start_step=0, rampup=None, steps_before=0):
        super().__init__()
        if not 0.0 <= float(decay) < 1.0:
            raise ValueError(f"`decay` must be in [0, 1); received {decay!r}.")
        if rampup is not None and not float(rampup) > 0:
            raise ValueError(f"`rampup` must be a positive fraction of the steps trained "
                             f"(StyleGAN2-ADA uses 0.05), or None; received {rampup!r}.")
        self.decay = float(decay)
        self.start_step = int(start_step)
        self.rampup = None if rampup is None else float(rampup)
        if isinstance(steps_before, bool) or not float(steps_before) >= 0:
            raise ValueError(f"`steps_before` counts the training the weights had before "
                             f"this run, a number >= 0; received {steps_before!r}.")
        self.steps_before = float(steps_before)
        self._update = None

    def decay_at(self, step):
        """The decay applied after generator update ``step`` of this run (1 is the first)."""
        t = step + self.steps_before
        if t <= self.start_step:
            return 0.0
        if self.rampup is None:
            return self.decay
        return min(self.decay, 0.5 ** (1.0 / (self.rampup * t)))

    def set_model(self, model):
        super().set_model(model)
        model.enable_ema()

    def decay_tensor(self, step):
        """``decay_at`` computed in the graph from a step tensor, so that the update never
        waits for the step counter to reach the host (on a GPU such a read after every
        batch would serialise the run)."""
        t = tf.cast(step, tf.float32) + self.steps_before
        if self.rampup is None:
            decay = tf.constant(self.decay, tf.float32)
        else:
            decay = tf.minimum(self.decay, tf.pow(0.5, 1.0 / (self.rampup * t)))
        return tf.where(t <= self.start_step, 0.0, decay)

    def _build_update(self):
        model = self.model
        gen, ema = model.generator, model.ema_generator
        pairs = [(e, w) for e, w in zip(ema.weights, gen.weights) if w.trainable]
        copies = [(e, w) for e, w in zip(ema.weights, gen.weights) if not w.trainable]

        @tf.function
        def update():
            decay = self.decay_tensor(model.step_counter)
            for e, w in pairs:
                e.assign(decay * e + (1.0 - decay) * w)
            for e, w in copies:
                e.assign(w)

        return update

    def on_train_batch_end(self, batch, logs=None):
        if self._update is None:
            self._update = self._build_update()
        self._update()


def non_finite_weights(model):
    """A description of the first weight of ``model`` holding NaN or infinite values, or
    ``None`` when every weight is finite."""
    for var in model.weights:
        if var.dtype.startswith("float") and not np.all(np.isfinite(var.numpy())):
            return f"the weight '{var.path}' holds NaN or infinite values"
    return None


class TrainingDiverged(RuntimeError):
    """Raised by ``DivergenceGuard`` when a loss becomes NaN, infinite or too large."""


class DivergenceGuard(keras.callbacks.Callback):
    """Stop training with a clear message when ``d_loss`` or ``g_loss`` becomes NaN or
    infinite, or larger in size than ``max_abs``, before anything writes bad weights.

    ``max_abs`` defaults (``None``) to ``DEFAULT_MAX_ABS``, a bound no healthy GAN loss
    comes near (losses of 1e15 from a learning rate of 1e6 are divergence, not training);
    ``float("inf")`` turns the bound off, leaving NaN and infinity.

    Raises ``TrainingDiverged`` naming the step, the loss and the last good checkpoint of
    ``checkpoint`` (a ``Checkpoint`` callback), so that the run can be resumed from it.
    """

    DEFAULT_MAX_ABS = 1e6

    def __init__(self, monitor=("d_loss", "g_loss"), max_abs=None, checkpoint=None):
        super().__init__()
        self.monitor = tuple(monitor)
        self.max_abs = self.DEFAULT_MAX_ABS if max_abs is None else float(max_abs)
        if not self.max_abs > 0:
            raise ValueError(f"`max_abs` must be > 0 (or None for {self.DEFAULT_MAX_ABS:g}, "
                             f"inf for no bound); received {max_abs!r}.")
        self.checkpoint = checkpoint
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        for key in self.monitor:
            value = _as_float((logs or {}).get(key))
            if value is None:
                continue
            too_large = math.isfinite(value) and abs(value) > self.max_abs
            if too_large or not math.isfinite(value):
                why = (f", beyond max_abs {self.max_abs:g} (a bound a training GAN's losses "
                       f"stay far below)" if too_large else "")
                last = self.checkpoint.last_saved if self.checkpoint else None
                raise TrainingDiverged(
                    f"Training diverged at step {_global_step(self.model)} (epoch "
                    f"{self._epoch + 1}, batch {batch + 1}): {key} is {value:g}{why}. No "
                    f"weights were saved after it. Last good checkpoint: {last or 'none'}. "
                    f"Lower the learning rates or add a penalty, then resume or restart.")


class Checkpoint(keras.callbacks.BackupAndRestore):
    """``BackupAndRestore`` that resumes a GAN exactly.

    At each step of the run that is a multiple of ``save_freq`` (or each epoch) it writes
    ``ckpt-<step>/`` in ``directory`` with the model's weights (generator, discriminator,
    EMA generator, both optimizers' state and step counters) and ``state.json`` (epoch,
    batch, step, the state of every ``SeedGenerator``, which Keras's weight files leave
    out, and ``compute``: the wall and CPU time, machine and threads of each segment of
    training up to the checkpoint, ``keras_gans.training_clock``), then points
    ``latest.json`` at it. The pointer is replaced atomically, so a run killed at any
    moment, ``kill -9`` included, leaves a complete checkpoint; the last ``keep``
    checkpoints are kept. Weights are never saved when a loss or a weight is NaN or
    infinite.

    ``run`` (e.g. ``keras_gans.resumption.identity(recipe)``) is written into every
    checkpoint; a checkpoint that records another run is refused rather than resumed.

    ``clock_from`` (``training_clock.now()`` or ``process_start()``) times the first
    segment of training in this process from that moment instead of from the first
    ``fit``, so that setting the run up counts in its compute.

    On ``on_train_begin`` it restores the latest checkpoint and, like Keras's callback,
    makes ``fit`` start at its epoch. Used alone it restarts an interrupted epoch from its
    first batch; ``keras_gans.training.fit`` also skips the batches already trained on, so
    the resumed run matches an uninterrupted one.
    """

    def __init__(self, directory, save_freq="epoch", keep=2, steps_per_epoch=None, run=None,
                 clock_from=None):
        super().__init__(directory, save_freq=save_freq, delete_checkpoint=False)
        if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
            raise ValueError(f"`keep` is how many checkpoints to keep, a whole number >= 1 "
                             f"(the latest is what a resume needs); received {keep!r}.")
        self.keep = keep
        self.run = run
        self.steps_per_epoch = steps_per_epoch
        self.restored = None
        self.last_saved = None
        self._step_seen = None        # the step counter when last read, in this fit()
        self._batches_unread = 0      # batches since then
        self._batches_to_save = 0     # batches before the next multiple of save_freq
        self._epoch = 0
        self._batch = 0
        self._logs = {}
        self._restore_on_begin = True
        self._clock = None            # this process's training time (state.json "compute")
        self._clock_from = clock_from
        # Set by ``stop_signal.checkpoint_on_signals`` (``keras_gans.training.fit``) when
        # SIGTERM or SIGINT asks the run to stop: checkpoint after this step, then stop.
        self.stop_requested = None

    # -- state ------------------------------------------------------------------------

    @property
    def clock(self):
        """This process's ``TrainingClock``; None until a ``fit`` with this callback began."""
        return self._clock

    def latest(self):
        """The metadata of the latest complete checkpoint, or ``None``."""
        pointer = os.path.join(self.backup_dir, "latest.json")
        if not os.path.exists(pointer):
            return None
        with open(pointer) as f:
            name = json.load(f)["checkpoint"]
        with open(os.path.join(self.backup_dir, name, "state.json")) as f:
            state = json.load(f)
        state["path"] = os.path.join(self.backup_dir, name)
        return state

    def _learning_rate_variables(self):
        found = []
        for value in vars(self.model).values():
            optimizer = getattr(value, "inner_optimizer", value)  # loss scaling wraps one
            rate = getattr(optimizer, "_learning_rate", None)
            if isinstance(optimizer, keras.optimizers.Optimizer) and \
                    isinstance(rate, keras.Variable) and all(rate is not v for v in found):
                found.append(rate)
        return found

    def _seed_variables(self):
        return [v for v in self.model.variables if v.name == "seed_generator_state"]

    def restore(self):
        """Load the latest checkpoint into the model; returns its metadata or ``None``."""
        state = self.latest()
        if state is None:
            return None
        recorded = state.get("run")
        if self.run is not None and recorded is not None and recorded != self.run:
            raise ValueError(
                f"The checkpoint '{state['path']}' belongs to another run (recipe "
                f"{recorded.get('recipe')}, seed {recorded.get('seed')}); this run is recipe "
                f"{self.run.get('recipe')}, seed {self.run.get('seed')}. Resuming would "
                f"continue that run's weights. Train into another folder, or delete "
                f"'{self.backup_dir}' to start over.")
        model = self.model
        model.build_optimizers()
        # The learning rates are the ones the model was compiled with now (a resumed
        # run may lower them), not the checkpoint's.
        rates = [(v, v.numpy()) for v in self._learning_rate_variables()]
        model.load_weights(os.path.join(state["path"], "model.weights.h5"))
        for var, value in rates:
            var.assign(value)
        seeds = self._seed_variables()
        if len(seeds) != len(state["seed_states"]):
            raise ValueError(f"The checkpoint '{state['path']}' holds {len(state['seed_states'])} "
                             f"random states, the model has {len(seeds)}: it was written by a "
                             f"different model. Use another checkpoint directory.")
        for var, value in zip(seeds, state["seed_states"]):
            var.assign(np.asarray(value, dtype=var.dtype))
        self.restored = state
        self.last_saved = state["path"]
        self._epoch, self._batch = state["epoch"], state["batch"]
        return state

    def on_train_begin(self, logs=None):
        self._step_seen, self._batches_unread = None, 0
        if self._restore_on_begin:
            state = self.restore()
            if state is not None:
                self.model._initial_epoch = state["epoch"]
            # Steps trained without a clock (by a checkpoint from before compute records,
            # or by an earlier fit() without this callback) are timed as unknown, not as
            # zero. Before the first step nothing is in flight: this read waits for nothing.
            if state is None:
                start = _global_step(self.model)
                earlier = None if start else []
            else:
                start, earlier = state["step"], state.get("compute")
            self._clock = TrainingClock(earlier, start, since=self._clock_from)
        elif self._clock is None:
            self._clock = TrainingClock(None, _global_step(self.model), since=self._clock_from)

    def on_train_end(self, logs=None):
        # Keras reads _initial_epoch once per fit(); don't let it leak into the next one.
        self.model._initial_epoch = None

    # -- saving -----------------------------------------------------------------------

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch, self._batch = epoch, 0

    def on_train_batch_end(self, batch, logs=None):
        self._batch += 1
        self._logs = logs or {}
        super().on_train_batch_end(batch, logs)
        if self.stop_requested is not None:
            self.save()
            raise TrainingStopped(
                f"Stopped by {self.stop_requested} at step {_global_step(self.model)}; the "
                f"last checkpoint is {self.last_saved or 'none'}. Run the same command to "
                f"resume from it.")

    def on_epoch_end(self, epoch, logs=None):
        self._epoch, self._batch = epoch + 1, 0
        self._logs = logs or {}
        super().on_epoch_end(epoch, logs)

    def _should_save_on_batch(self, batch):
        # On the run's own grid of steps (multiples of save_freq), not every save_freq
        # batches of this fit() call: a run resumed from a checkpoint at an odd step (a
        # SIGTERM, the end of an earlier fit) keeps checkpointing at the steps an
        # uninterrupted run does, so tools that read checkpoints by step line up.
        # Reading the step counter waits for the step to finish on the device, so it is
        # read only once the next multiple may have been reached: it moves at most one
        # per batch.
        if self.save_freq == "epoch":
            return False
        self._batches_unread += 1
        if self._step_seen is not None and self._batches_unread < self._batches_to_save:
            return False
        step = _global_step(self.model)
        previous = self._step_seen if self._step_seen is not None else step - 1
        self._step_seen, self._batches_unread = step, 0
        self._batches_to_save = self.save_freq - step % self.save_freq
        return step // self.save_freq > previous // self.save_freq

    def save(self):
        """Write a checkpoint at the current step unless the latest one is already there
        (``keras_gans.training.fit`` calls it when a run ends, so the last checkpoint
        holds the final weights whatever ``save_freq`` is)."""
        step = _global_step(self.model)
        if self.last_saved != os.path.join(self.backup_dir, f"ckpt-{step:08d}"):
            self._save_model()

    def _finite(self):
        for key in ("d_loss", "g_loss"):
            value = _as_float(self._logs.get(key))
            if value is not None and not math.isfinite(value):
                return f"{key} is {value}"
        return non_finite_weights(self.model)

    def _save_model(self):
        problem = self._finite()
        if problem:
            print(f"Checkpoint: not saving at step {_global_step(self.model)}: {problem}. "
                  f"The last good checkpoint is {self.last_saved or 'none'}.", flush=True)
            return
        step = _global_step(self.model)
        epoch, batch = self._epoch, self._batch
        if self.steps_per_epoch:
            epoch, batch = divmod(step, self.steps_per_epoch)
        name = f"ckpt-{step:08d}"
        final = os.path.join(self.backup_dir, name)
        partial = final + ".partial"
        shutil.rmtree(partial, ignore_errors=True)
        os.makedirs(partial)
        self.model.save_weights(os.path.join(partial, "model.weights.h5"))
        state = {"epoch": epoch, "batch": batch, "step": step, "time": time.time(),
                 **({"run": self.run} if self.run is not None else {}),
                 "seed_states": [np.asarray(v.numpy()).tolist() for v in self._seed_variables()]}
        if self._clock is not None:
            state["compute"] = self._clock.segments(step)
        with open(os.path.join(partial, "state.json"), "w") as f:
            json.dump(state, f)
        shutil.rmtree(final, ignore_errors=True)
        os.replace(partial, final)
        pointer = os.path.join(self.backup_dir, "latest.json")
        with open(pointer + ".tmp", "w") as f:
            json.dump({"checkpoint": name}, f)
        os.replace(pointer + ".tmp", pointer)
        self.last_saved = final
        old = sorted(d for d in os.listdir(self.backup_dir)
                     if d.startswith("ckpt-") and not d.endswith(".partial"))
        for stale in old[:-self.keep]:
            shutil.rmtree(os.path.join(self.backup_dir, stale), ignore_errors=True)


class HistoryFile(keras.callbacks.Callback):
    """Write the logs of every epoch to ``history.json`` and ``history.csv`` in
    ``directory`` after each epoch, and draw them in ``history.png`` (losses, D(x) and
    D(G(z)), penalties and evaluation scores against generator steps: ``keras_gans.plots``).
    Rows already in the files are kept, so a resumed run extends its history; a resumed
    epoch replaces its row."""

    def __init__(self, directory):
        super().__init__()
        self.directory = directory
        self.rows = {}

    def on_train_begin(self, logs=None):
        path = os.path.join(self.directory, "history.json")
        if os.path.exists(path) and not self.rows:
            with open(path) as f:
                self.rows = {row["epoch"]: row for row in json.load(f)["epochs"]}

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": epoch + 1, "step": _global_step(self.model)}
        row.update({k: _as_float(v) for k, v in (logs or {}).items()})
        self.rows[epoch + 1] = row
        rows = [self.rows[k] for k in sorted(self.rows)]
        os.makedirs(self.directory, exist_ok=True)
        path = os.path.join(self.directory, "history.json")
        history = {}
        if os.path.exists(path):  # keep what others recorded (resumption's recipe_changes)
            with open(path) as f:
                history = json.load(f)
        with open(path + ".tmp", "w") as f:
            json.dump({**history, "epochs": rows}, f, indent=1)
        os.replace(path + ".tmp", path)
        keys = list(dict.fromkeys(k for r in rows for k in r))
        with open(os.path.join(self.directory, "history.csv"), "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=keys)
            writer.writeheader()
            writer.writerows(rows)
        try:
            plots.save_history(rows, os.path.join(self.directory, "history.png"))
        except ValueError:  # a model that logs none of the curves the figure draws
            pass


class Evaluation(keras.callbacks.Callback):
    """Hook for evaluation at intervals: every ``every`` epochs call ``fn(model)``, which
    returns a dict of numbers (e.g. FID from ``keras_gans.metrics``), and add it to the
    epoch's logs so that the history and TensorBoard record it. Place it before callbacks
    that read the logs."""

    def __init__(self, fn, every=1):
        super().__init__()
        self.fn = fn
        self.every = int(every)

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None and (epoch + 1) % self.every == 0:
            logs.update({k: float(v) for k, v in self.fn(self.model).items()})


# Scores for which a smaller value is better; every other logged score is "higher is better".
LOWER_IS_BETTER = ("fid", "kid", "kid_std", "loss")


class BestModel(keras.callbacks.Callback):
    """Save the model whenever the logged score ``monitor`` (e.g. ``fid`` written by an
    evaluation callback placed before this one) is the best seen so far: ``directory``
    then holds ``model.keras`` and ``best.json`` (the score, epoch, generator step and the
    epoch's other logs). The best score so far is read back from ``best.json``, so a
    resumed run only replaces the model with a better one. ``mode`` is ``"min"`` or
    ``"max"``; by default ``"min"`` for ``fid``, ``kid`` and losses, ``"max"`` otherwise.

    With ``checkpoint`` (the run's ``Checkpoint``; ``keras_gans.training.fit`` sets it),
    ``best.json`` also records ``compute``: the training clock's segments up to the saved
    step, as a checkpoint's ``state.json`` does, so that a preset built from the best
    model says what it cost."""

    def __init__(self, directory, monitor="fid", mode=None, checkpoint=None):
        super().__init__()
        self.checkpoint = checkpoint
        if mode is None:
            mode = "min" if monitor.endswith(LOWER_IS_BETTER) else "max"
        if mode not in ("min", "max"):
            raise ValueError(f"`mode` must be 'min' or 'max'; received {mode!r}.")
        self.directory, self.monitor, self.mode = directory, monitor, mode

    def best(self):
        """The contents of ``best.json``, or None before the first save."""
        path = os.path.join(self.directory, "best.json")
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return json.load(f)

    def _better(self, value, previous):
        return value < previous if self.mode == "min" else value > previous

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.monitor not in logs:  # an epoch without evaluation
            return
        value = _as_float(logs[self.monitor])
        previous = self.best()
        if value is None or not math.isfinite(value) or (
                previous is not None and not self._better(value, previous["value"])):
            return
        os.makedirs(self.directory, exist_ok=True)
        self.model.save(os.path.join(self.directory, "model.keras.tmp.keras"))
        os.replace(os.path.join(self.directory, "model.keras.tmp.keras"),
                   os.path.join(self.directory, "model.keras"))
        step = _global_step(self.model)
        record = {"monitor": self.monitor, "mode": self.mode, "value": value,
                  "epoch": epoch + 1, "step": step,
                  "logs": {k: _as_float(v) for k, v in logs.items()}}
        clock = self.checkpoint and self.checkpoint.clock
        if clock is not None:
            record["compute"] = clock.segments(step)
        with open(os.path.join(self.directory, "best.json.tmp"), "w") as f:
            json.dump(record, f, indent=1)
        os.replace(os.path.join(self.directory, "best.json.tmp"),
                   os.path.join(self.directory, "best.json"))
