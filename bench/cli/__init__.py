"""Command-line interface: a thin layer over the Python API, one module per subcommand with
``add_parser(subparsers)``. ``main`` activates the settings (environment plus flags) for the
command and turns expected errors (``BenchError``) into one-paragraph messages and exit codes.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import signal
import sys
import warnings

from bench.cli import check, compare, data, listing, new_model, report, run
from bench.cli.options import settings_options
from bench.errors import BenchError, BenchWarning
from bench.settings import Settings, use_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bench", parents=[settings_options()],
        description="MNIST-vs-Fashion benchmark harness: run a registry of classifiers on MNIST "
                    "and Fashion-MNIST through one runner and write markdown reports.")
    parser.add_argument("--verbose", action="store_true",
                        help="also show third-party libraries' warnings and start-up messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in (data, listing, run, report, compare, check, new_model):
        command.add_parser(sub)
    return parser


def resolve_settings(args: argparse.Namespace) -> Settings:
    """The run's settings: the environment's, overridden by the settings flags given."""
    overrides = {f.name: getattr(args, f.name) for f in dataclasses.fields(Settings)
                 if hasattr(args, f.name)}
    return Settings.from_environ(**overrides)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _format_warning(message, category, filename, lineno, line=None) -> str:
    """``warning: <message>`` for the harness's own warnings; the usual format otherwise (the
    formatter, not ``showwarning``, so that ``catch_warnings(record=True)`` still works)."""
    if issubclass(category, BenchWarning):
        return f"warning: {message}\n"
    return _default_formatwarning(message, category, filename, lineno, line)


_default_formatwarning = warnings.formatwarning


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _interrupt)  # clean up workers on `kill` as on Ctrl-C
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past `ulimit -f` a write fails (EFBIG)
    warnings.formatwarning = _format_warning
    try:
        args = build_parser().parse_args(argv)
        if not args.verbose:  # third-party start-up messages and warnings; workers inherit it
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
            logging.getLogger("matplotlib").setLevel(logging.ERROR)
            warnings.filterwarnings("ignore", module="tensorflow|keras|matplotlib|absl")
        with use_settings(resolve_settings(args)):
            return int(args.func(args) or 0)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # e.g. `bench list | head`: the reader went away
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted: finished results are kept; run the same command again to resume.",
              file=sys.stderr)
        return 130
