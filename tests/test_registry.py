import json
from importlib import metadata

import pytest

from bench.cli import main
from bench.errors import PluginError, UsageError
from bench.registry import ENTRY_POINT_GROUP, PluginWarning, Registry, default_registry

BUILTINS = {"keras-mlp", "logistic-regression", "random-forest", "small-cnn"}


def entry_point(name: str, value: str) -> metadata.EntryPoint:
    return metadata.EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)


def test_builtins_register_through_entry_points():
    registry = default_registry()
    assert BUILTINS <= set(registry.names())
    for name in BUILTINS:
        assert registry.get(name).source.startswith("models.")


def test_builtin_listing_does_not_import_frameworks():
    import subprocess
    import sys

    code = ("import sys; from bench.registry import available_models; available_models(); "
            "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_unknown_model_lists_the_registered_ones():
    with pytest.raises(UsageError) as info:
        default_registry().get("keras-mpl")
    message = str(info.value)
    assert all(name in message for name in BUILTINS) and "Did you mean 'keras-mlp'" in message


def test_broken_plugin_warns_and_others_still_load(plugin_env):
    plugin_env()
    registry = Registry()
    with pytest.warns(PluginWarning, match="broken.*ModuleNotFoundError"):
        registry.load_entry_points([entry_point("broken", "broken_plugin:MODEL"),
                                    entry_point("test-centroids", "faulty_plugins:CENTROIDS")])
    assert registry.names() == ["test-centroids"]


def test_two_plugins_with_one_name_is_an_error(plugin_env):
    plugin_env()
    registry = Registry()
    with pytest.raises(PluginError, match="two model plugins are named 'keras-mlp'"):
        registry.load_entry_points([entry_point("keras-mlp", "models.keras_mlp:MODEL"),
                                    entry_point("keras-mlp-copy", "faulty_plugins:DUPLICATE")])


def test_disable_env_skips_a_plugin(plugin_env, monkeypatch):
    plugin_env()
    monkeypatch.setenv("BENCH_DISABLE_PLUGINS", "keras-mlp")
    registry = Registry()
    registry.load_entry_points([entry_point("keras-mlp", "models.keras_mlp:MODEL"),
                                entry_point("x", "faulty_plugins:DUPLICATE")])
    assert registry.names() == []


def test_env_plugins_are_registered(plugin_env):
    plugin_env("faulty_plugins:CENTROIDS")
    assert "test-centroids" in default_registry().names()


def test_list_shows_models_and_datasets(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in BUILTINS | {"mnist", "fashion-mnist", "Ankle boot", "neural network"}:
        assert name in out
    assert "epochs: int = 5" in out


def test_list_json_is_machine_readable(capsys):
    assert main(["list", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    models = {m["name"]: m for m in data["models"]}
    assert BUILTINS <= set(models)
    mlp_params = {p["name"]: p for p in models["keras-mlp"]["parameters"]}
    assert mlp_params["hidden_units"]["default"] == [128]
    assert {d["name"] for d in data["datasets"]} == {"mnist", "fashion-mnist"}


def test_broken_plugin_does_not_break_the_listing(plugin_env, capsys):
    plugin_env("broken_plugin:MODEL", "faulty_plugins:CENTROIDS")
    with pytest.warns(PluginWarning):
        assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "test-centroids" in out and "keras-mlp" in out


def test_run_unknown_model_exits_2_without_traceback(capsys):
    assert main(["run", "--model", "nope", "--dataset", "mnist"]) == 2
    err = capsys.readouterr().err
    assert "unknown model 'nope'" in err and "keras-mlp" in err and "Traceback" not in err


def test_run_bad_parameter_lists_valid_ones(capsys):
    code = main(["run", "--model", "keras-mlp", "--dataset", "mnist", "--set", "epochz=3"])
    err = capsys.readouterr().err
    assert code == 2 and "epochs: int = 5" in err
