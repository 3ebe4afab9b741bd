"""Sharing one results folder between runs: a run claims a job by an exclusive ``flock`` on
``<results>/.claims/<key>.claim`` (dropped by the kernel when its process dies); another run
skips the jobs held and picks up their records. A released claim file is deleted while still
locked (a run that locked the old file sees it is gone and tries again).
"""

from __future__ import annotations

import fcntl
import os
from collections import deque
from collections.abc import Sequence
from pathlib import Path

from bench.errors import ResultsError
from bench.files import UntrustedFileError, file_signature, open_own_file
from bench.plan.jobs import Job
from bench.results.record import RunRecord
from bench.results.store import read_record, record_path
from bench.results.validate import KEY_RE
from bench.runner.progress import Events

CLAIMS_FOLDER = ".claims"


def claims_dir(results_dir: str | os.PathLike) -> Path:
    return Path(results_dir) / CLAIMS_FOLDER


def try_claim(results_dir: str | os.PathLike, key: str) -> int | None:
    """A locked file descriptor for job ``key``, or ``None`` when another run holds it (a link
    or a folder planted at the claim's path is a ``ResultsError`` naming it)."""
    folder = claims_dir(results_dir)
    path = folder / f"{key}.claim"
    while True:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd = open_own_file(path)
        except FileNotFoundError:  # the folder was removed between mkdir and open
            continue
        except (UntrustedFileError, OSError) as exc:
            raise ResultsError(f"cannot claim job {key} in {folder}: {exc}.") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            return fd
        os.close(fd)  # we locked a file its owner had just released and deleted


def release(results_dir: str | os.PathLike, key: str, fd: int) -> None:
    """Delete the claim file (while still holding it), then drop the lock."""
    folder = claims_dir(results_dir)
    try:
        (folder / f"{key}.claim").unlink(missing_ok=True)
    finally:
        os.close(fd)
    try:
        folder.rmdir()  # only succeeds once no claim is left
    except OSError:
        pass


def sweep_stale_claims(results_dir: str | os.PathLike) -> int:
    """Delete the job claim files no live run holds (left by killed runs), each while locked as
    in :func:`release`; the number deleted."""
    folder = claims_dir(results_dir)
    if folder.is_symlink():  # never delete through a link (runs refuse such a folder anyway)
        return 0
    try:
        names = sorted(entry.name for entry in os.scandir(folder)
                       if entry.is_file(follow_symlinks=False))
    except OSError:  # no claims folder (the usual case) or unreadable: nothing to sweep
        return 0
    swept = 0
    for name in names:
        key = name.removesuffix(".claim")
        if key == name or not KEY_RE.fullmatch(key):
            continue
        fd = try_claim(results_dir, key)
        if fd is not None:
            release(results_dir, key, fd)
            swept += 1
    return swept


def committed_record(results_dir: str | os.PathLike, job: Job,
                     before: tuple[int, int, int] | None) -> RunRecord | None:
    """The valid record saved for ``job`` since its file had the signature ``before``."""
    path = record_path(results_dir, job.key)
    if file_signature(path) in (None, before):
        return None
    try:
        return read_record(path)  # a valid record is stored under its own key
    except (ResultsError, OSError):
        return None


class WorkQueue:
    """The jobs of one run and their records. :meth:`take` returns the next job this run
    claims (jobs another run holds wait; those it committed meanwhile are finished with its
    record); :meth:`finish` releases the claim, keeps the record and reports it to ``events``."""

    def __init__(self, jobs: Sequence[Job], results_dir: str | os.PathLike,
                 events: Events) -> None:
        self.results_dir, self.events = results_dir, events
        self.records: list[RunRecord] = []
        self._waiting = deque(jobs)
        self._held: dict[str, int] = {}
        self._before = {job.key: file_signature(record_path(results_dir, job.key))
                        for job in jobs}

    def __bool__(self) -> bool:
        return bool(self._waiting)

    def __len__(self) -> int:
        return len(self._waiting)

    def take(self) -> Job | None:
        for _ in range(len(self._waiting)):
            job = self._waiting.popleft()
            fd = try_claim(self.results_dir, job.key)
            if fd is None:
                self._waiting.append(job)
                continue
            self._held[job.key] = fd
            record = committed_record(self.results_dir, job, self._before[job.key])
            if record is None:
                return job
            self.finish(job, record)  # another run finished it meanwhile
        return None

    def finish(self, job: Job, record: RunRecord) -> None:
        self.done(job)
        self.records.append(record)
        self.events.on_finish(record)

    def done(self, job: Job) -> None:
        """Release the claim on ``job``."""
        fd = self._held.pop(job.key, None)
        if fd is not None:
            release(self.results_dir, job.key, fd)

    def close(self) -> None:
        """Release every claim still held (the run ends or is interrupted)."""
        for key, fd in list(self._held.items()):
            self._held.pop(key)
            release(self.results_dir, key, fd)
        sweep_stale_claims(self.results_dir)
