"""Dataset constants: file names, SHA-256 of each decompressed payload, mirrors, class names.

MNIST and Fashion-MNIST differ only in these constants. Everything here is pure data:
``expected_checksums`` does no I/O, so job keys can hash it without loading anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bench.errors import UsageError, did_you_mean

#: Both datasets have ten classes, labelled 0..9: the one definition the harness uses.
N_CLASSES = 10

ROLES: tuple[str, ...] = ("train_images", "train_labels", "test_images", "test_labels")

FILENAMES: dict[str, str] = {
    "train_images": "train-images-idx3-ubyte", "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte", "test_labels": "t10k-labels-idx1-ubyte"}
#: Keys of the arrays in a Keras-style ``.npz`` archive (``mnist.npz``).
NPZ_KEYS: dict[str, str] = {"train_images": "x_train", "train_labels": "y_train",
                            "test_images": "x_test", "test_labels": "y_test"}


@dataclass(frozen=True)
class FileSpec:
    """One IDX file of a dataset: its role, canonical name and payload checksum."""

    role: str
    filename: str
    sha256: str

    @property
    def kind(self) -> str:
        """``"images"`` or ``"labels"``."""
        return self.role.split("_")[1]


@dataclass(frozen=True)
class DatasetSpec:
    """Everything that defines a dataset, as constants: ``files`` maps each role in ``ROLES``
    to its ``FileSpec``; ``mirrors`` are tried in order (``bench.data.download``)."""

    name: str
    title: str
    class_names: tuple[str, ...]
    files: Mapping[str, FileSpec] = field(hash=False)
    short_title: str = ""  # how reports name it ("Fashion-MNIST"); default: ``name``
    mirrors: tuple[str, ...] = ()
    train_size: int = 60000
    test_size: int = 10000
    image_shape: tuple[int, int] = (28, 28)
    npz_name: str | None = None

    @property
    def label(self) -> str:
        """The short name reports and tables use."""
        return self.short_title or self.name

    def count(self, role: str) -> int:
        """Expected number of items in the file of ``role``."""
        return self.train_size if role.startswith("train") else self.test_size

    def checksums(self) -> dict[str, str]:
        """``{filename: sha256}`` for the four files."""
        return {f.filename: f.sha256 for f in self.files.values()}


def make_spec(name: str, title: str, class_names: tuple[str, ...], sha256: Mapping[str, str],
              **kwargs) -> DatasetSpec:
    """Build a spec from ``{filename or role: sha256}`` (tests use it for synthetic data)."""
    files = {role: FileSpec(role, filename, sha256.get(filename) or sha256[role])
             for role, filename in FILENAMES.items()}
    return DatasetSpec(name, title, tuple(class_names), files, **kwargs)


MNIST = make_spec(
    "mnist", "MNIST handwritten digits", tuple(str(d) for d in range(10)),
    {
        "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    },
    short_title="MNIST",
    mirrors=("https://ossci-datasets.s3.amazonaws.com/mnist/",
             "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"),
    npz_name="mnist.npz",
)

FASHION_MNIST = make_spec(
    "fashion-mnist", "Fashion-MNIST (Zalando Research)",
    ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
     "Ankle boot"),
    {
        "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    },
    short_title="Fashion-MNIST",
    mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
             "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"),
)

# Looked up at call time, so tests can swap in specs of synthetic data (monkeypatch.setitem).
DATASETS: dict[str, DatasetSpec] = {spec.name: spec for spec in (MNIST, FASHION_MNIST)}

DATASET_NAMES: tuple[str, ...] = tuple(DATASETS)  # in the order tables and reports show them


def get_spec(name: str) -> DatasetSpec:
    """The spec of dataset ``name``; an unknown name raises ``UsageError``."""
    try:
        return DATASETS[name]
    except KeyError:
        raise UsageError(f"unknown dataset {name!r}. {did_you_mean(name, tuple(DATASETS))}",
                         ) from None


def expected_checksums(name: str) -> dict[str, str]:
    """``{filename: sha256 of the decompressed payload}`` of dataset ``name`` (no I/O)."""
    return get_spec(name).checksums()
