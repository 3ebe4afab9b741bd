"""MNIST-vs-Fashion benchmark harness.

The Python API behind ``python -m bench``::

    from bench.api import run_all, run_one, report
    from bench.data import load_dataset
    from bench.plugins.registry import available_models, get_model
    from bench.results import load_frame, load_records
"""

__version__ = "0.1.0"
