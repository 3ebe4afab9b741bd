"""The corruption registry: determinism (frozen digests), shape and dtype, batch independence,
identity parameters, the geometry of single transforms, and recognisability on real data."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pytest

from bench.data import corruptions as C
from bench.data.corruptions import CORRUPTION_NAMES, CORRUPTIONS, corrupt, get_corruption
from bench.errors import UsageError


def digest(images: np.ndarray) -> str:
    """SHA-256 of the array's dtype, shape and bytes (a corrupted set's fingerprint)."""
    h = hashlib.sha256(f"{images.dtype.str}{images.shape}".encode())
    h.update(np.ascontiguousarray(images).tobytes())
    return h.hexdigest()


def synthetic(n: int = 6) -> np.ndarray:
    """Fixed uint8 images (no RNG): a soft ring of varying radius on black, and a ramp pattern."""
    rows, cols = np.mgrid[0:28, 0:28]
    images = []
    for i in range(n):
        dist = np.hypot(rows - 13.5 - i % 3, cols - 13.5 + i % 2)
        ring = np.clip(255 - 120 * np.abs(dist - 5 - i), 0, 255)
        images.append(ring if i % 2 == 0 else np.maximum(ring, (rows * 7 + cols * 3 * i) % 256))
    return np.array(images, dtype=np.uint8)


# Digests of corrupt(synthetic(), name, seed=0), computed once by the functions and frozen:
# a change means the transform changed (bump CORRUPTION_VERSION) or, after a numpy/scipy
# upgrade, that floating point moved a pixel across a rounding boundary.
DIGESTS = {
    "shot_noise": "185c89f0f8cdb95198c4c6d2bb397d853b5eac936eb7a4609ec2936a3d9bd8c6",
    "impulse_noise": "abf6438623e8dd0e860bec2dc494301c28751aae867f0f6f24cd6fd672094d3e",
    "glass_blur": "8c7d719b5b4268cd122610097efebb87c168bbacc25ef7635fa40cb3dbc22fd4",
    "motion_blur": "53fc2bf17977aba24b84c5cda461ea872b4100bef5108d9c17c5725f6c70bdcc",
    "shear": "2470f32c9bee453fdfeb3d00438476f37d970f24aebd026bd812d4aea491b141",
    "scale": "9d293a61322845e491ab541e2fa0d209565a3233375e73487d7fa799cdc3b28f",
    "rotate": "ef7484401d0362359b58fc20882f28a6b6796dca873f3382748f499fe0748911",
    "translate": "69078bf20406cfe64b5b6eed83907ffd9cd83df7c557e8909819ded57888907e",
    "stripe": "5efcf33bd078407a9ab5989354dacce2db566dfba1f5d35b4b8789529ba09923",
    "dotted_line": "da21b4db19ee9b62c9cd39e2aced647dea0b53013767cbb8d5e4701f3f33ee99",
    "brightness": "e846420136fb21f9ec685235aa536f555351f6fb2eb9e36b7e91b682955899f6",
    "inverse": "ec1379cce1cb054e15e07f2680df5527a43686f9ff07805befabf06d328bbf5e",
    "edges": "99a66224bddcc818f25ec8014e07d073fff5484ad4499fc87de341b5ae1fd0b6",
}

RANDOM = {"shot_noise", "impulse_noise", "glass_blur", "motion_blur", "shear", "rotate",
          "translate", "dotted_line"}  # the others ignore the seed

IDENTITY = [  # the parameter value that does nothing
    (C.impulse_noise, {"amount": 0.0}),
    (C.glass_blur, {"sigma": 0.0, "delta": 0}),
    (C.motion_blur, {"sigma": 0.0}),
    (C.shear, {"factor": 0.0}),
    (C.scale, {"factor": 1.0}),
    (C.rotate, {"degrees": 0.0}),
    (C.translate, {"pixels": 0}),
    (C.stripe, {"width": 0}),
    (C.dotted_line, {"dash": 0}),
    (C.brightness, {"levels": 0}),
]


# ---------------------------------------------------------------- every corruption


@pytest.mark.parametrize("name", CORRUPTION_NAMES)
def test_same_bytes_for_the_same_seed_and_the_frozen_digest(name):
    images = synthetic()
    first, second = corrupt(images, name, 0), corrupt(images.copy(), name, 0)
    assert first.dtype == np.uint8 and first.shape == images.shape
    assert np.array_equal(first, second)
    assert digest(first) == DIGESTS[name]
    assert np.array_equal(images, synthetic())  # the input is left alone


@pytest.mark.parametrize("name", CORRUPTION_NAMES)
def test_an_image_is_corrupted_the_same_whatever_the_batch(name):
    images = synthetic()
    whole = corrupt(images, name, 3)
    order = np.array([4, 1, 5, 0])
    assert np.array_equal(corrupt(images[order], name, 3), whole[order])
    assert np.array_equal(corrupt(images[2:3], name, 3), whole[2:3])


@pytest.mark.parametrize("name", CORRUPTION_NAMES)
def test_the_seed_matters_only_where_there_is_randomness(name):
    images = synthetic()
    changed = not np.array_equal(corrupt(images, name, 0), corrupt(images, name, 1))
    assert changed == (name in RANDOM)
    assert not np.array_equal(corrupt(images, name, 0), images)  # the default does something


@pytest.mark.parametrize(("function", "params"), IDENTITY, ids=[f.__name__ for f, _ in IDENTITY])
def test_the_null_parameter_is_the_identity(function, params):
    images = synthetic()
    assert np.array_equal(function(images, 7, **params), images)


def test_digest_tells_content_dtype_and_shape_apart():
    images = synthetic()
    assert digest(images) == digest(images.copy())
    assert digest(images) != digest(images.reshape(3, 56, 28))
    assert digest(images) != digest(corrupt(images, "inverse", 0))


# ---------------------------------------------------------------- registry


def test_registry_order_families_and_severities():
    assert CORRUPTION_NAMES == (
        "shot_noise", "impulse_noise", "glass_blur", "motion_blur", "shear", "scale", "rotate",
        "translate", "stripe", "dotted_line", "brightness", "inverse", "edges",
    )  # fmt: skip
    assert {c.family for c in CORRUPTIONS} == {
        "noise", "blur", "affine", "occlusion", "intensity", "edges"
    }  # fmt: skip
    assert all(c.severity and c.function.__name__ == c.name for c in CORRUPTIONS)
    assert get_corruption("rotate").function is C.rotate
    assert isinstance(C.CORRUPTION_VERSION, int)


def test_importing_the_registry_does_not_import_scipy():
    code = "import sys, bench.data.corruptions; print('scipy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_unknown_name_and_bad_images_are_usage_errors():
    with pytest.raises(UsageError, match="unknown corruption 'rotation'.*Did you mean 'rotate'"):
        corrupt(synthetic(), "rotation", 0)
    with pytest.raises(UsageError, match=r"uint8 images of shape \(n, H, W\), got float64"):
        corrupt(synthetic().astype(float), "rotate", 0)
    with pytest.raises(UsageError, match=r"got uint8 \(28, 28\)"):
        corrupt(synthetic()[0], "rotate", 0)
    empty = np.zeros((0, 28, 28), dtype=np.uint8)
    assert corrupt(empty, "shot_noise", 0).shape == (0, 28, 28)


# ---------------------------------------------------------------- what single transforms do


def dot(row: int, col: int) -> np.ndarray:
    image = np.zeros((1, 28, 28), dtype=np.uint8)
    image[0, row, col] = 200
    return image


def test_translate_moves_a_pixel_three_places_along_one_axis():
    for seed in range(8):
        moved = np.argwhere(C.translate(dot(10, 12), seed)[0] == 200).tolist()
        assert moved in ([[13, 12]], [[7, 12]], [[10, 15]], [[10, 9]])


def test_rotate_by_a_right_angle_is_rot90_either_way():
    images = synthetic()
    for seed in range(4):
        turned = C.rotate(images, seed, degrees=90).astype(int)
        for image, original in zip(turned, images.astype(int), strict=True):
            nearest = min(np.abs(image - np.rot90(original, k)).max() for k in (1, -1))
            assert nearest <= 1


def test_shear_and_scale_keep_the_centre_and_move_the_rest():
    centre = dot(13, 13) + dot(14, 14)
    for function in (C.shear, C.scale):
        out = function(centre, 0)
        assert out[0, 13, 13] > 0 and out[0, 14, 14] > 0
    shrunk = C.scale(dot(3, 13), 0)[0]  # 10.5 rows above the centre -> 7.35 at zoom 0.7
    assert np.argwhere(shrunk).tolist() == [[6, 13]] and shrunk[6, 13] > 100  # bilinear
    sheared = C.shear(dot(8, 13), 0, factor=2.0)[0]  # 5.5 rows above the centre
    assert np.argwhere(sheared == 200).tolist() in ([[8, 2]], [[8, 24]])  # 11 columns off


def test_intensity_and_stripe_transforms_are_exact():
    images = synthetic()
    assert np.array_equal(C.inverse(C.inverse(images, 0), 0), images)
    expected = np.minimum(images.astype(int) + 102, 255)
    assert np.array_equal(C.brightness(images, 0), expected)
    striped = C.stripe(images, 0)
    assert np.array_equal(striped[:, :, 7:21], images[:, :, 7:21])
    assert np.array_equal(striped[:, :, :7], 255 - images[:, :, :7])
    assert np.array_equal(striped[:, :, 21:], 255 - images[:, :, 21:])


def test_noise_rates():
    grey = np.full((50, 28, 28), 128, dtype=np.uint8) + np.arange(50, dtype=np.uint8)[:, None, None]
    noisy = C.impulse_noise(grey, 0)
    assert abs((noisy == 255).mean() - 0.085) < 0.01 and abs((noisy == 0).mean() - 0.085) < 0.01
    assert np.array_equal(noisy[(noisy != 0) & (noisy != 255)], grey[(noisy != 0) & (noisy != 255)])
    shot = C.shot_noise(np.full((50, 28, 28), 255, dtype=np.uint8), 0)
    assert set(np.unique(shot).tolist()) == {0, 85, 170, 255}
    assert abs((shot == 0).mean() - np.exp(-3)) < 0.01  # Poisson(3) is zero
    assert not C.shot_noise(np.zeros((2, 28, 28), dtype=np.uint8), 0).any()  # black stays black


def test_blurs_keep_the_ink_of_a_centred_image():
    images = synthetic()[0:4:2]  # rings on black, well inside the frame
    smeared = C.motion_blur(images, 0)
    assert np.allclose(smeared.sum(axis=(1, 2)), images.sum(axis=(1, 2)), rtol=0.01)
    rings = np.repeat(images, 20, axis=0) + np.arange(40, dtype=np.uint8)[:, None, None] % 2
    shuffled = C.glass_blur(rings, 0).astype(float)  # ink kept on average, not image by image
    assert abs(shuffled.sum() / rings.sum() - 1) < 0.03
    assert np.abs(shuffled.mean(axis=0) - rings.mean(axis=0)).max() > 30  # ...but moved


def test_dotted_line_adds_dashes_and_edges_are_binary_outlines():
    lined = C.dotted_line(np.zeros((4, 28, 28), dtype=np.uint8), 0)
    assert lined.any(axis=(1, 2)).all()
    inked_columns = lined.any(axis=1)[0]
    assert not inked_columns[:2].any() and inked_columns[2:4].all() and not inked_columns[4:6].any()
    outline = C.edges(synthetic(), 0)
    assert set(np.unique(outline).tolist()) == {0, 255}
    assert outline[0, 13, 13] == 0 and outline[0, 0, 0] == 0  # inside and far outside the ring


# ---------------------------------------------------------------- real data


# A linear model on raw pixels cannot read these by construction, though a person can: the
# negative flips every pixel, and on Fashion-MNIST the garments reach the inverted side
# columns and the outlines replace filled shapes.
LINEAR_BLIND = {
    "mnist": {"inverse"},
    "fashion-mnist": {"inverse", "stripe", "edges"},
}


@pytest.mark.realdata
@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["mnist", "fashion-mnist"])
def test_a_clean_linear_model_still_reads_corrupted_images(dataset, real_data_dir):
    import warnings

    from sklearn.linear_model import LogisticRegression

    from bench.data import load_dataset

    data = load_dataset(dataset, real_data_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lbfgs stops at max_iter: enough for this check
        model = LogisticRegression(C=0.1, max_iter=100)
        model.fit(data.x_train[:5000].reshape(5000, -1) / 255.0, data.y_train[:5000])
    images, labels = data.x_test[:1000], data.y_test[:1000]

    def accuracy(x: np.ndarray) -> float:
        return float(model.score(x.reshape(len(x), -1) / 255.0, labels))

    clean = accuracy(images)
    table = {name: accuracy(corrupt(images, name, 0)) for name in CORRUPTION_NAMES}
    print(f"\n{dataset}: clean {clean:.3f}")
    for name, value in table.items():
        print(f"  {name:14s} {value:.3f}")
    assert clean > 0.8
    assert {name for name, value in table.items() if value <= 0.3} == LINEAR_BLIND[dataset]
    assert all(value < clean for value in table.values())  # each one hurts
