"""User-facing errors: the CLI prints ``error: <message>`` (one paragraph) and exits with
``exit_code``; anything else is a bug and keeps its traceback."""

from __future__ import annotations


class BenchError(Exception):
    """An expected error with an actionable message."""

    exit_code = 1


class UsageError(BenchError):
    """A bad name, option or parameter value given by the user."""

    exit_code = 2


class DataError(BenchError):
    """A dataset file is missing, corrupt or cannot be found anywhere."""


class PluginError(BenchError):
    """A model plugin is broken (import error, duplicate name, bad metadata)."""


class ResultsError(BenchError):
    """The result store cannot be read or written."""


class ReportsError(BenchError):
    """The reports cannot be written where asked (not ours, unwritable, disk full)."""


class BenchWarning(UserWarning):
    """A problem worth one line on stderr (``warning: ...``) that does not stop the command."""


class ModelWarning(BenchWarning):
    """A model's library warned while the harness read the model (e.g. a deprecated class)."""


class ResultsWarning(BenchWarning):
    """A result file, run-info or analysis cache was left out because it is invalid."""


def did_you_mean(name: str, choices: list[str] | tuple[str, ...]) -> str:
    """A short hint listing valid choices, closest first."""
    import difflib

    close = difflib.get_close_matches(name, choices, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return f"Valid choices: {', '.join(choices)}.{hint}"


class SuiteError(UsageError):
    """A suite file is missing, not valid TOML, or names a bad key, model or value."""


class DataWarning(BenchWarning):
    """A data source was skipped (bad files), or the cache could not be written or changed."""
