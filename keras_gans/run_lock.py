"""One training run at a time in a run folder.

Two trainers writing one folder interleave their checkpoints: one crashes when the other
renames a checkpoint it is writing, and a later resume may continue from the other's
weights. ``RunFolderLock`` holds ``<folder>/run.lock`` for the length of a run: an
exclusive ``flock`` on the file, which records the owner's pid, host and start time so
that a refusal can name them. The operating system releases the lock when its process
ends, ``kill -9`` included, so a lock left by a dead process is simply taken over (and
said so); nothing is guessed from pids.
"""

import json
import os
import socket
import time

try:
    import fcntl
except ImportError:  # Windows: no flock
    fcntl = None

LOCK_NAME = "run.lock"


class RunFolderLocked(RuntimeError):
    """Another live process is training in the same run folder."""


def _describe(owner):
    started = owner.get("started")
    since = (time.strftime(" since %Y-%m-%d %H:%M:%S", time.localtime(started))
             if isinstance(started, (int, float)) else "")
    return f"process {owner.get('pid', '?')} on host {owner.get('host', '?')}{since}"


class RunFolderLock:
    """``with RunFolderLock(folder):`` holds the folder's lock or raises
    ``RunFolderLocked`` naming the process that holds it."""

    def __init__(self, folder):
        self.folder = folder
        self.path = os.path.join(folder, LOCK_NAME)
        self.previous_owner = None  # a dead process whose lock was taken over
        self._file = None

    def acquire(self):
        os.makedirs(self.folder, exist_ok=True)
        handle = open(self.path, "a+")
        if fcntl is None:
            print(f"Warning: this platform has no flock; nothing stops a second run from "
                  f"writing into '{self.folder}' at the same time.", flush=True)
        else:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                owner = self._read(handle)
                handle.close()
                raise RunFolderLocked(
                    f"'{self.folder}' is in use by {_describe(owner)} (lock file "
                    f"{self.path}): two runs in one folder would overwrite each other's "
                    f"checkpoints. Wait for that run to end, stop it, or train into another "
                    f"--out folder.") from None
        owner = self._read(handle)
        if owner:
            self.previous_owner = owner
            print(f"Taking over the lock of '{self.folder}' from {_describe(owner)}, which "
                  f"is no longer running.", flush=True)
        handle.seek(0)
        handle.truncate()
        json.dump({"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()},
                  handle)
        handle.flush()
        self._file = handle
        return self

    @staticmethod
    def _read(handle):
        handle.seek(0)
        try:
            return json.loads(handle.read() or "{}")
        except ValueError:
            return {"pid": "?", "host": "? (unreadable lock file)"}

    def release(self):
        if self._file is None:
            return
        # Empty the file before unlocking: a lock file with an owner means the owner died.
        self._file.seek(0)
        self._file.truncate()
        self._file.flush()
        if fcntl is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
        self._file.close()
        self._file = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
