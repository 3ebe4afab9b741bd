"""Installs synthetic dataset specs in every Python process the runner tests start.

Worker processes, ``python -m bench`` and Dask workers are fresh interpreters that see the
real published checksums in ``bench.data.specs.DATASETS``. The runner tests put this folder
on ``PYTHONPATH`` and name a JSON file of synthetic specs in ``SYNTHETIC_DATASET_SPECS``;
Python imports this module at start-up, so those processes verify the synthetic files
against their own checksums, exactly as the test process does (see tests/runner/conftest.py).
"""

import json
import os

_SPECS = os.environ.get("SYNTHETIC_DATASET_SPECS")
if _SPECS:
    from bench.data.specs import DATASETS, make_spec

    with open(_SPECS, encoding="utf-8") as _handle:
        for _name, _entry in json.load(_handle).items():
            _real = DATASETS[_name]
            DATASETS[_name] = make_spec(_name, _real.title, _real.class_names, _entry["sha256"],
                                        train_size=_entry["train_size"],
                                        test_size=_entry["test_size"], npz_name=_real.npz_name)
