"""Names and text from users and plugins (issue 24): `new-model` names and folders checked in
full, plugin metadata printed with its control characters escaped, empty layer tuples refused."""

from __future__ import annotations

import pytest
from test_plugin_sources import bench, plugin_folder

from bench.cli import main
from bench.files import terminal_text

ESCAPED = '''from bench.plugins import EstimatorBase, ModelSpec


class NearestMean(EstimatorBase):
    def __init__(self, seed: int = 0):
        self.seed = seed

MODEL = ModelSpec(name="test-escapes", description="line one\\nFAKE: line\\x1b[2J\\x1b]0;t\\x07",
                  family="te\\rst", input_kind="flat", version="1\\x1b[31m", estimator=NearestMean)
'''


@pytest.mark.parametrize("name", ["abc\n", "Abc", "a" * 101, "a--b", "../x", ""])
def test_new_model_refuses_a_bad_name_and_writes_nothing(tmp_path, monkeypatch, capsys, name):
    monkeypatch.chdir(tmp_path)
    assert main(["new-model", name]) == 2
    assert capsys.readouterr().err.startswith("error: bad model name")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("folder, problem", [("", "it is empty"), ("x\x1b", "control"),
                                             ("d" * 1001, "longer than 1000")])
def test_new_model_refuses_a_bad_dir(tmp_path, monkeypatch, capsys, folder, problem):
    monkeypatch.chdir(tmp_path)
    assert main(["new-model", "fine", "--dir", folder]) == 2
    assert problem in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_new_model_into_an_unwritable_place_is_one_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["new-model", "fine", "--dir", str(blocker)]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_terminal_text_escapes_control_characters_everywhere():
    assert terminal_text("a\nb\x1b[2J\x07é") == "a\\nb\\x1b[2J\\x07é"
    assert terminal_text({"k": ["x\ty", 3]}) == {"k": ["x\\ty", 3]}


def test_bench_list_escapes_a_plugins_control_characters(tmp_path):
    folder = plugin_folder(tmp_path, extra={"escapes.py": ESCAPED})
    for args in (("list",), ("list", "test-escapes")):
        done = bench("--plugins-dir", str(folder), *args)
        assert done.returncode == 0, done.stderr
        assert "\x1b" not in done.stdout and "\r" not in done.stdout and "\x07" not in done.stdout
        assert "line one\\nFAKE: line\\x1b[2J" in done.stdout
        assert "\nFAKE" not in done.stdout


def test_an_empty_layer_tuple_is_refused(capsys):
    code = main(["run-all", "--profile", "smoke", "--models", "keras-mlp", "--datasets",
                 "mnist", "--seed", "0", "--set", "hidden_units=()", "--dry-run"])
    assert code == 2
    assert "must hold at least one value, each >= 1" in capsys.readouterr().err
