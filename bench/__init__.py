"""MNIST-vs-Fashion benchmark harness.

The Python API behind ``python -m bench``::

    from bench.data import load_dataset
    from bench.registry import available_models, get_model
    from bench.runner import run_all, run_one, load_frame
    from bench.reports import write_reports
"""

__version__ = "0.1.0"
