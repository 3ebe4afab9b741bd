"""``python -m bench``: the command-line interface."""

import sys

from bench.cli import main

if __name__ == "__main__":  # guarded: worker processes re-import the main module
    sys.exit(main())
