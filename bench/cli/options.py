"""Options shared by several commands, each defined once."""

from __future__ import annotations

import argparse


def settings_options() -> argparse.ArgumentParser:
    """The options that override settings (``bench.settings``), accepted before the command and
    after it; each ``dest`` is a ``Settings`` field, and values left unset stay out of ``args``."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS,
                         help="folder holding mnist/ and fashion-mnist/ IDX files (default: "
                              "$BENCH_DATA_DIR)")
    options.add_argument("--plugins-dir", metavar="DIR", default=argparse.SUPPRESS,
                         help="also load model plugins from DIR, one *.py file per model each "
                              "defining MODEL (default: $BENCH_PLUGINS_DIR)")
    return options
