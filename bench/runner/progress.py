"""Progress display: a live bar on a terminal, plain lines otherwise, nothing with --quiet."""

from __future__ import annotations

import sys
import time
from typing import Protocol, TextIO

from bench.files import terminal_text
from bench.plan.jobs import Job
from bench.results.record import STATUS_OK, RunRecord


class Events(Protocol):
    """What a backend reports as jobs run (:class:`Progress` shows it)."""

    def on_start(self, job: Job) -> None: ...
    def on_epoch(self, job: Job, epoch: int, epochs: int, logs: dict) -> None: ...
    def on_finish(self, record: RunRecord) -> None: ...


def describe(record: RunRecord) -> str:
    if record.status == STATUS_OK:
        return (f"train {record.train_accuracy:.4f} test {record.test_accuracy:.4f} "
                f"({record.wall_seconds or 0:.1f} s)")
    return f"{record.status.upper()}: {terminal_text((record.error or '').splitlines()[0][:160])}"


class Progress:
    """Job events to the screen; ``total`` counts the jobs that will actually run."""

    def __init__(self, total: int, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.total, self.quiet = total, quiet
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.monotonic()
        self.live = not quiet and self.stream.isatty()
        self._bar = None
        self._running: dict[str, str] = {}
        self._finished: set[str] = set()  # a late start or epoch event (Dask) must not revive a job
        if self.live and total:
            from tqdm import tqdm

            self._bar = tqdm(total=total, file=self.stream, unit="job", dynamic_ncols=True,
                             bar_format="{l_bar}{bar}| {n}/{total} [{elapsed}<{remaining}]{postfix}")

    def _postfix(self) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(" | ".join(self._running.values())[:90], refresh=True)

    def on_start(self, job: Job) -> None:
        if job.key in self._finished:
            return
        self._running[job.key] = job.label
        self._postfix()

    def on_epoch(self, job: Job, epoch: int, epochs: int, logs: dict) -> None:
        if job.key in self._finished:
            return
        accuracy = logs.get("accuracy")
        detail = f" acc {accuracy:.3f}" if accuracy is not None else ""
        self._running[job.key] = f"{job.label} epoch {epoch}/{epochs}{detail}"
        self._postfix()

    def on_finish(self, record: RunRecord) -> None:
        self.done += 1
        self._finished.add(record.key)
        self._running.pop(record.key, None)
        label = f"{record.model} on {record.dataset} seed {record.seed}"
        if record.role != "headline":
            label += f" n={record.train_size}"
        line = f"[{self.done}/{self.total}] {label}: {describe(record)}"
        if self._bar is not None:
            self._bar.write(line, file=self.stream)
            self._bar.update(1)
            self._postfix()
        elif not self.quiet:
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
