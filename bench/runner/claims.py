"""Sharing one results folder between runs: per-job claim files.

A run claims a job before executing it by taking an exclusive ``flock`` on
``<results>/.claims/<key>.claim``; a second ``run-all`` on the same folder skips the jobs
another run holds, runs the rest, and picks up the others' records when they are done.
The kernel drops a lock when its process dies, so a claim left by a SIGKILLed run is
stale at once and the job is simply claimed again. A released claim file is deleted while
still locked; a run that locked the old file sees it is no longer the one at the path and
tries again. A run killed after saving a record but before releasing its claim leaves a
stale claim for a job that is now cached (never claimed again): every run sweeps such
claims when it ends (:func:`sweep_stale_claims`).
"""

from __future__ import annotations

import fcntl
import os
from collections import deque
from collections.abc import Sequence
from pathlib import Path

from bench.files import file_signature
from bench.plan.jobs import Job
from bench.results.record import RunRecord
from bench.results.store import read_record, record_path
from bench.results.validate import KEY_RE

CLAIMS_FOLDER = ".claims"


def claims_dir(results_dir: str | os.PathLike) -> Path:
    return Path(results_dir) / CLAIMS_FOLDER


def try_claim(results_dir: str | os.PathLike, key: str) -> int | None:
    """A locked file descriptor for job ``key``, or ``None`` when another run holds it."""
    folder = claims_dir(results_dir)
    path = folder / f"{key}.claim"
    while True:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except FileNotFoundError:  # the folder was removed between mkdir and open
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        held = os.fstat(fd)
        try:
            current = os.stat(path)
        except FileNotFoundError:
            current = None
        if current is not None and (held.st_dev, held.st_ino) == (current.st_dev, current.st_ino):
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
    """Delete the claim files no live run holds (left by killed runs); the number deleted.

    Only files named like a job's claim are touched; a claim another run holds is left alone
    (its lock cannot be taken), and each stale one is deleted while locked, as :func:`release`
    does, so a run claiming the same job meanwhile simply tries again.
    """
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


class WorkQueue:
    """The jobs of one run, handed out as this run claims them.

    :meth:`take` returns records that another run committed meanwhile (those jobs are not
    run twice) and the next job claimed for this run; jobs another run holds wait their
    turn. Call :meth:`done` when a claimed job's record is saved.
    """

    def __init__(self, jobs: Sequence[Job], results_dir: str | os.PathLike) -> None:
        self.results_dir = results_dir
        self._waiting = deque(jobs)
        self._held: dict[str, int] = {}
        self._before = {job.key: file_signature(record_path(results_dir, job.key))
                        for job in jobs}

    def __bool__(self) -> bool:
        return bool(self._waiting)

    def __len__(self) -> int:
        return len(self._waiting)

    def take(self) -> tuple[list[RunRecord], Job | None]:
        finished: list[RunRecord] = []
        for _ in range(len(self._waiting)):
            job = self._waiting.popleft()
            fd = try_claim(self.results_dir, job.key)
            if fd is None:
                self._waiting.append(job)
                continue
            self._held[job.key] = fd
            record = self._finished_elsewhere(job)
            if record is not None:
                self.done(job)
                finished.append(record)
                continue
            return finished, job
        return finished, None

    def _finished_elsewhere(self, job: Job) -> RunRecord | None:
        """The record another run committed for ``job`` since this run started, if any."""
        path = record_path(self.results_dir, job.key)
        if file_signature(path) == self._before[job.key]:
            return None
        try:
            record = read_record(path)
        except Exception:  # noqa: BLE001 - unreadable: run the job again
            return None
        return record if record.key == job.key else None

    def done(self, job: Job) -> None:
        fd = self._held.pop(job.key, None)
        if fd is not None:
            release(self.results_dir, job.key, fd)

    def close(self) -> None:
        """Release every claim still held (the run ends or is interrupted)."""
        for key, fd in list(self._held.items()):
            self._held.pop(key)
            release(self.results_dir, key, fd)
        sweep_stale_claims(self.results_dir)
