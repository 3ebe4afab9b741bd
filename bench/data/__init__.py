"""The dataset layer: MNIST and Fashion-MNIST as verified uint8 arrays. ``load_dataset(name)``
finds the IDX files (locally, else on the public mirrors), checks every payload's SHA-256 and
caches the arrays so that later loads take milliseconds.
"""

from bench.data.cache import cache_dir, payloads_dir
from bench.data.loader import (
    DataLocation,
    Dataset,
    DataWarning,
    cache_dataset,
    import_dataset,
    load_dataset,
    locate_dataset,
    verify_dataset,
)
from bench.data.specs import (
    DATASET_NAMES,
    DATASETS,
    DatasetSpec,
    FileSpec,
    expected_checksums,
    get_spec,
)
from bench.data.verify import FileReport

__all__ = [
    "DATASETS", "DATASET_NAMES", "DataLocation", "DataWarning", "Dataset", "DatasetSpec",
    "FileReport", "FileSpec", "cache_dataset", "cache_dir", "expected_checksums", "get_spec",
    "import_dataset", "load_dataset", "locate_dataset", "payloads_dir", "verify_dataset",
]
