"""Stopping a run on SIGTERM or Ctrl-C without losing the steps since its last checkpoint.

A preempted machine, a batch system's time limit or ``kill PID`` sends SIGTERM, and Ctrl-C
sends SIGINT; either would end a run where it stands and lose every step since its last
checkpoint. While ``keras_gans.training.fit`` runs, the first such signal only asks the
run to stop: the step under way finishes, ``Checkpoint`` writes a checkpoint there and
raises ``TrainingStopped``, and the same command resumes from that exact step. A second
signal stops at once, as it would have without this. Signals are caught only in the main
thread of a single-worker run (several workers would have to agree on the step).
"""

import contextlib
import signal
import sys
import threading

SIGNALS = ("SIGTERM", "SIGINT")
EXIT_CODE = 128 + 15   # what a shell reports for a process ended by SIGTERM


class TrainingStopped(RuntimeError):
    """Raised when a run stopped at a signal after writing its checkpoint."""


def _single_worker(strategy):
    in_multi_worker_mode = getattr(strategy.extended, "_in_multi_worker_mode", None)
    return not (in_multi_worker_mode and in_multi_worker_mode())


@contextlib.contextmanager
def checkpoint_on_signals(checkpoint, strategy):
    """While inside, SIGTERM and SIGINT set ``checkpoint.stop_requested`` to the signal's
    name (``Checkpoint`` acts on it after the current step); a second signal goes to the
    handler that was there before. The previous handlers are back on exit, however the
    block ends."""
    if threading.current_thread() is not threading.main_thread() or \
            not _single_worker(strategy):
        yield
        return
    previous = {}

    def request_stop(signum, frame):
        if checkpoint.stop_requested is not None:   # asked twice: stop now
            signal.signal(signum, previous[signum])
            signal.raise_signal(signum)
            return
        checkpoint.stop_requested = signal.Signals(signum).name
        print(f"{checkpoint.stop_requested}: finishing this step, then writing a checkpoint "
              f"(send it again to stop at once).", file=sys.stderr, flush=True)

    for name in SIGNALS:
        number = getattr(signal, name, None)
        if number is not None:
            handler = signal.signal(number, request_stop)
            previous[number] = signal.SIG_DFL if handler is None else handler
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        checkpoint.stop_requested = None
