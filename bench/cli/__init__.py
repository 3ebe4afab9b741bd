"""Command-line interface: a thin layer over the Python API.

Every subcommand lives in its own module with ``add_parser(subparsers)``;
expected errors (``BenchError``) become one-paragraph messages and an exit code.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from bench.errors import BenchError

_COMMAND_MODULES = ("data", "listing", "run", "report", "check", "new_model")


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
    parser.add_argument(
        "--plugins-dir",
        metavar="DIR",
        help="also load model plugins from DIR, one *.py file per model each defining MODEL "
             "(default: $BENCH_PLUGINS_DIR)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in _COMMAND_MODULES:
        module = importlib.import_module(f"bench.cli.{module_name}")
        module.add_parser(sub)
    return parser


def _plain_plugin_warnings() -> None:
    """Show a skipped plugin as one ``warning: ...`` paragraph, without a source line."""
    import warnings

    from bench.registry import PluginWarning

    previous = warnings.formatwarning
    if getattr(previous, "bench_plain", False):
        return

    def plain(message, category, filename, lineno, line=None):
        if issubclass(category, PluginWarning):
            return f"warning: {message}\n"
        return previous(message, category, filename, lineno, line)

    plain.bench_plain = True
    warnings.formatwarning = plain


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _interrupt)  # clean up workers on `kill` as on Ctrl-C
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "plugins_dir", None):
        import os

        from bench.registry import PLUGINS_DIR_ENV, reset_default_registry
        from bench.settings import get_settings, set_settings

        set_settings(get_settings().replace(plugins_dir=args.plugins_dir))
        # spawned worker processes read their settings from the environment they inherit
        os.environ[PLUGINS_DIR_ENV] = str(Path(args.plugins_dir).resolve())
        reset_default_registry()
    _plain_plugin_warnings()
    try:
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
