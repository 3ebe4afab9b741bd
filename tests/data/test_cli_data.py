"""``bench data ...`` through ``bench.cli.main``: exit codes and messages."""

from __future__ import annotations

import pytest
from data_helpers import flip_byte, write_dataset

from bench.cli import main
from bench.data import payloads_dir


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "argv",
    [["data"], ["data", "info"], ["data", "verify"], ["data", "fetch"], ["data", "import"]],
    ids=lambda a: " ".join(a),
)
def test_help(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--help"])
    assert exc.value.code == 0
    assert "usage: bench data" in capsys.readouterr().out


def test_unknown_dataset_lists_choices(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["data", "verify", "--dataset", "cifar"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'cifar'" in err and "'mnist', 'fashion-mnist'" in err


@pytest.mark.parametrize("command", ["info", "verify", "fetch"])
def test_a_data_folder_that_does_not_exist_is_one_error(command, capsys, tmp_path, monkeypatch):
    """Said once, not once per dataset."""
    monkeypatch.setenv("BENCH_OFFLINE", "1")
    code, out, err = run(capsys, "--data-dir", str(tmp_path / "typo"), "data", command)
    assert code == 1 and out == ""
    assert err.count("does not exist") == 1 and "mnist/ and fashion-mnist/" in err


def test_a_data_warning_is_one_warning_line(synth, monkeypatch, tmp_path):
    """Printed as ``warning: ...``, not Python's ``path:line: DataWarning: ...`` plus a source
    line (pytest captures warnings, so the CLI's formatter is checked on the real warning)."""
    import warnings

    from bench.cli import _format_warning
    from bench.data import DataWarning, load_dataset

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("BENCH_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    monkeypatch.setenv("BENCH_DATA_DIR", str(synth.data_dir))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_dataset("mnist", download=False)
    [w] = [w for w in caught if issubclass(w.category, DataWarning)]
    line = _format_warning(w.message, w.category, w.filename, w.lineno)
    assert line.startswith("warning: mnist: could not write the cache") and line.count("\n") == 1


def test_verify_good_data(synth, capsys):
    code, out, err = run(capsys, "--data-dir", str(synth.data_dir), "data", "verify")
    assert code == 0, err
    lines = out.splitlines()
    assert len([line for line in lines if line.startswith("ok ")]) == 8
    assert lines[-1] == "all files ok"


def test_data_dir_after_the_subcommand(synth, capsys):
    code, out, _ = run(
        capsys, "data", "verify", "--dataset", "mnist", "--data-dir", str(synth.data_dir)
    )
    assert code == 0 and str(synth.data_dir / "mnist") in out


def truncate(path):
    path.write_bytes(path.read_bytes()[:-30])


@pytest.mark.parametrize(
    ("role", "damage", "problem"),
    [
        ("train_images", flip_byte, "checksum mismatch"),
        ("test_images", truncate, "corrupt"),
        ("train_labels", lambda p: p.unlink(), "missing"),
    ],
    ids=["flipped", "truncated", "missing"],
)
def test_verify_bad_data(synth, capsys, role, damage, problem):
    path = synth.path("fashion-mnist", role)
    damage(path)
    code, out, err = run(capsys, "--data-dir", str(synth.data_dir), "data", "verify")
    assert code == 1
    assert err.startswith("error: 1 file is bad:")
    assert f"{path}: {problem}" in err
    assert "Traceback" not in err
    bad_lines = [line for line in out.splitlines() if not line.startswith("ok ")]
    assert len(bad_lines) == 1 and bad_lines[0].startswith(problem.upper())
    assert str(path) in bad_lines[0]


def test_verify_nothing_found(synth, capsys, tmp_path):
    code, _, err = run(capsys, "data", "verify", "--dataset", "mnist")
    assert code == 1 and "mnist not found" in err and "bench data import" in err


def test_info(synth, capsys):
    code, out, _ = run(capsys, "--data-dir", str(synth.data_dir), "data", "info")
    assert code == 0
    assert "fashion-mnist" in out and "Ankle boot" in out and "T-shirt/top" in out
    assert "train:     20 images" in out and "test:      10 images" in out
    assert "checksums: ok" in out
    counts = [int(line.split()[-2]) for line in out.splitlines() if "Ankle boot" in line]
    assert counts == [int((synth.arrays["fashion-mnist"]["train_labels"] == 9).sum())]


def test_info_without_data_fails(synth, capsys):
    code, out, err = run(capsys, "data", "info", "--dataset", "mnist")
    assert code == 1 and "bench data fetch --dataset mnist" in err
    assert "BENCH_OFFLINE=1" in out


def test_import_then_info_from_the_cache(synth, capsys):
    code, out, _ = run(capsys, "data", "import", str(synth.data_dir / "mnist"))
    assert code == 0 and out.startswith("mnist: ok, imported from")
    code, out, _ = run(capsys, "data", "info", "--dataset", "mnist")
    assert code == 0 and f"cached at {payloads_dir()}" in out


def test_import_bad_folder(synth, capsys):
    flip_byte(synth.path("mnist", "test_images"))
    code, _, err = run(
        capsys, "data", "import", str(synth.data_dir / "mnist"), "--dataset", "mnist"
    )
    assert code == 1 and "t10k-images-idx3-ubyte.gz: checksum mismatch" in err


def test_fetch(synth, capsys):
    code, out, _ = run(capsys, "data", "fetch", "--data-dir", str(synth.data_dir))
    assert code == 0
    assert out.count(": ok, ") == 2 and "cached at" in out


def test_fetch_offline_without_data(synth, capsys, tmp_path):
    write_dataset(tmp_path / "d" / "fashion-mnist", synth.arrays["fashion-mnist"])
    code, out, err = run(capsys, "data", "fetch", "--data-dir", str(tmp_path / "d"))
    assert code == 1 and "BENCH_OFFLINE=1" in err and "--data-dir" in err
    assert "mnist not found" in err and out.startswith("fashion-mnist: ok")  # one failure only


def test_fetch_from_a_mirror(synth, capsys, http_root, monkeypatch):
    monkeypatch.delenv("BENCH_OFFLINE")
    write_dataset(http_root.root / "mnist", synth.arrays["mnist"])
    code, out, _ = run(
        capsys, "data", "fetch", "--dataset", "mnist", "--mirror", f"{http_root.url}/{{name}}/"
    )
    assert code == 0 and f"downloaded from {http_root.url}/mnist/" in out
