"""How long a run trained, and where: the compute record that checkpoints carry.

A run that stops and resumes (a SIGTERM, a lost session, a move to another machine) trains
in segments. Each segment records the steps it trained, its wall time and the process's
CPU time, the machine and the thread settings. ``Checkpoint`` writes the segments up to
each checkpoint into its ``state.json``, so the record is exactly as long as the weights
it describes: steps trained after the last checkpoint and lost with a killed process are
neither kept nor counted. A card then reads its compute from the run instead of from
hand-kept notes.

Wall time includes everything the process did while training (evaluations, sample grids,
tracing) and any time it spent paused (``SIGSTOP``); CPU time counts only what the
process computed, over all its threads, so on a shared machine it is the steadier measure
of cost. Both are reported; neither is adjusted.

A process's first segment can be timed from before training begins (``since``): a
``keras-gans train`` run times it from the process's start, so that importing TensorFlow,
caching the data, building the model and loading ``init_from`` (about a minute for the
image presets) are counted too; the segment's ``setup_s`` says how much of it that was.
"""

import os
import platform
import time


def machine_description():
    """'x86_64 CPU (Intel(R) Xeon(R) Processor, avx512_bf16), 2 cores': the processor,
    whether it has native bfloat16 arithmetic (what the project's mixed_bfloat16 runs
    depend on) and the GPUs TensorFlow sees."""
    model, flags = "", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and not model:
                    model = value.strip()
                elif key.strip() == "flags" and not flags:
                    flags = set(value.split())
    except OSError:   # not Linux: platform.processor() is the best there is
        model = platform.processor()
    features = [f for f in ("avx512_bf16", "amx_bf16") if f in flags]
    inside = ", ".join([model] * bool(model) + features)
    return (f"{platform.machine()} CPU" + (f" ({inside})" if inside else "")
            + f", {os.cpu_count()} cores" + _accelerators())


def _accelerators():
    """', 2 GPUs (NVIDIA H100 80GB HBM3)' where TensorFlow sees GPUs, else ''."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return ""
    names = [tf.config.experimental.get_device_details(g).get("device_name", "unnamed")
             for g in gpus]
    return (f", {len(gpus)} GPU{'s' * (len(gpus) > 1)} "
            f"({', '.join(dict.fromkeys(names))})")


def thread_description():
    """The TensorFlow thread settings of this process, as a user would set them."""
    import tensorflow as tf

    intra = (os.environ.get("TF_NUM_INTRAOP_THREADS")
             or tf.config.threading.get_intra_op_parallelism_threads() or None)
    inter = (os.environ.get("TF_NUM_INTEROP_THREADS")
             or tf.config.threading.get_inter_op_parallelism_threads() or None)
    if intra is None and inter is None:
        return f"TensorFlow's default threads ({os.cpu_count()} cores)"
    return (f"TF_NUM_INTRAOP_THREADS={intra or 'default'}, "
            f"TF_NUM_INTEROP_THREADS={inter or 'default'}")


def now():
    """This moment as ``(monotonic wall time, process CPU time)``: a ``since`` for
    ``TrainingClock``."""
    return time.monotonic(), time.process_time()


def process_start():
    """``(monotonic wall time, CPU time)`` at this process's start, where Linux's /proc
    says when that was; elsewhere ``now()``."""
    try:
        with open("/proc/self/stat") as f:
            # Fields after "pid (command)": the 20th is the start time in clock ticks
            # since boot (field 22 of proc(5)); the command name may contain spaces.
            started = int(f.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
        with open("/proc/uptime") as f:
            running = float(f.read().split()[0]) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return now()
    return time.monotonic() - max(running, 0.0), 0.0


class TrainingClock:
    """The segments of a run's training up to now. ``earlier`` are the segments of the
    checkpoint the run resumed from (None when that checkpoint predates compute records
    while steps had been trained: those steps' time is then unknown); ``start_step`` is
    where this process starts training. ``since`` (``now()`` or ``process_start()``)
    times this process's segment from an earlier moment than its first step, so that the
    work of setting the training up counts; by default the segment starts now."""

    def __init__(self, earlier=None, start_step=0, since=None):
        if earlier is None and start_step:
            earlier = [{"from_step": 0, "to_step": int(start_step), "wall_s": None,
                        "cpu_s": None, "machine": None, "threads": None}]
        self.earlier = [dict(s) for s in earlier or []]
        self.start_step = int(start_step)
        self._wall0, self._cpu0 = since or now()
        self._setup_s = round(time.monotonic() - self._wall0, 1)
        self.started = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                     time.gmtime(time.time() - self._setup_s))
        self._machine, self._threads = machine_description(), thread_description()

    def segments(self, step):
        """Every segment, this process's up to now and ``step``."""
        current = {"from_step": self.start_step, "to_step": int(step),
                   "wall_s": round(time.monotonic() - self._wall0, 1),
                   "cpu_s": round(time.process_time() - self._cpu0, 1),
                   "setup_s": self._setup_s, "machine": self._machine,
                   "threads": self._threads, "started": self.started}
        return self.earlier + [current]


def summary(segments):
    """The run's compute from its segments: ``{"wall_time_s", "cpu_time_s", "machine",
    "threads", "segments"}`` in the form of a hand-written ``compute.json``, or None when
    any segment's time is unknown."""
    if not segments or any(s.get("wall_s") is None for s in segments):
        return None

    def distinct(key):
        return "; ".join(dict.fromkeys(s[key] for s in segments if s.get(key)))

    parts = [f"steps {s['from_step']:,}-{s['to_step']:,}: {s['wall_s']:,.0f} s"
             for s in segments]
    return {"wall_time_s": round(sum(s["wall_s"] for s in segments), 1),
            "cpu_time_s": round(sum(s["cpu_s"] for s in segments), 1),
            "machine": distinct("machine"),
            "threads": (f"{distinct('threads')}; {len(segments)} segment"
                        f"{'s' * (len(segments) != 1)} of training ({', '.join(parts)}), "
                        f"timed by the checkpoints"),
            "segments": segments}
