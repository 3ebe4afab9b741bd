"""Command-line interface: a thin layer over the Python API.

Every subcommand lives in its own module with ``add_parser(subparsers)``;
expected errors (``BenchError``) become one-paragraph messages and an exit code.
"""

from __future__ import annotations

import argparse
import signal
import sys
import warnings

from bench.errors import BenchError, BenchWarning

_COMMAND_MODULES = ("data", "listing", "run", "report")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(
        prog="bench",
        description=(
            "MNIST-vs-Fashion benchmark harness: run a registry of classifiers on MNIST and "
            "Fashion-MNIST through one runner and write markdown reports."
        ),
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="folder holding mnist/ and fashion-mnist/ IDX files (default: $BENCH_DATA_DIR)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in _COMMAND_MODULES:
        module = importlib.import_module(f"bench.cli.{module_name}")
        module.add_parser(sub)
    return parser


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """``warning: <message>`` for the harness's own warnings; the usual format otherwise."""
    if issubclass(category, BenchWarning):
        print(f"warning: {message}", file=file or sys.stderr)
    else:
        _default_showwarning(message, category, filename, lineno, file, line)


_default_showwarning = warnings.showwarning


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _interrupt)  # clean up workers on `kill` as on Ctrl-C
    warnings.showwarning = _show_warning
    try:
        args = build_parser().parse_args(argv)
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
