import json
import warnings
from importlib import metadata

import pytest

from bench.cli import main
from bench.errors import UsageError
from bench.plugins.registry import (
    ENTRY_POINT_GROUP,
    PluginWarning,
    Registry,
    default_registry,
    entry_point_candidate,
)

BUILTINS = {"keras-mlp", "logistic-regression", "random-forest", "small-cnn"}


def entry_point(name: str, value: str) -> metadata.EntryPoint:
    return metadata.EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)


def test_builtins_register_through_entry_points():
    registry = default_registry()
    assert BUILTINS <= set(registry.names())
    for name in BUILTINS:
        spec = registry.get(name)
        assert spec.source.startswith("bench.models.")
        assert spec.distribution.startswith("mnist-vs-fashion-bench ")


def test_builtin_listing_does_not_import_frameworks():
    import subprocess
    import sys

    code = ("import sys; from bench.plugins.registry import available_models; available_models(); "
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
        registry.load_candidates([entry_point_candidate(entry_point(*e)) for e in
                                  (("broken", "broken_plugin:MODEL"),
                                   ("test-centroids", "faulty_plugins:CENTROIDS"))], set())
    assert registry.names() == ["test-centroids"]


def load(*entries: tuple[str, str], disabled: tuple[str, ...] = ()) -> tuple[Registry, list]:
    """A registry loaded from ``(name, value)`` entry points, and the warnings it gave."""
    registry = Registry()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        registry.load_candidates([entry_point_candidate(entry_point(n, v)) for n, v in entries],
                                 set(disabled))
    return registry, [w for w in caught if issubclass(w.category, PluginWarning)]


def test_builtin_wins_a_clash_with_one_warning_naming_both_sources(plugin_env):
    plugin_env()
    registry, caught = load(("keras-mlp", "bench.models.keras_mlp:MODEL"),
                            ("keras-mlp-copy", "faulty_plugins:DUPLICATE"))
    assert registry.get("keras-mlp").source == "bench.models.keras_mlp:MODEL"
    (warning,) = caught
    message = str(warning.message)
    assert "2 model plugins are named 'keras-mlp'" in message
    assert "BENCH_DISABLE_PLUGINS=bench.models.keras_mlp:MODEL" in message
    assert "BENCH_DISABLE_PLUGINS=faulty_plugins:DUPLICATE" in message


def test_disabling_the_builtin_by_source_lets_the_other_win(plugin_env):
    plugin_env()
    registry, caught = load(("keras-mlp", "bench.models.keras_mlp:MODEL"),
                            ("keras-mlp-copy", "faulty_plugins:DUPLICATE"),
                            disabled=("bench.models.keras_mlp:MODEL",))
    assert registry.get("keras-mlp").source == "faulty_plugins:DUPLICATE" and not caught


def test_two_third_party_plugins_of_one_name_are_both_skipped(plugin_env):
    plugin_env()
    registry, caught = load(("a", "faulty_plugins:CENTROIDS"),
                            ("b", "faulty_plugins:OTHER_CENTROIDS"),
                            ("c", "faulty_plugins:RAISES"))
    assert registry.names() == ["test-raises"]
    (warning,) = caught
    assert "faulty_plugins:CENTROIDS" in str(warning.message)
    assert "faulty_plugins:OTHER_CENTROIDS" in str(warning.message)
    # the entry-point name disables exactly one of them
    registry, caught = load(("a", "faulty_plugins:CENTROIDS"),
                            ("b", "faulty_plugins:OTHER_CENTROIDS"), disabled=("b",))
    assert registry.get("test-centroids").source == "faulty_plugins:CENTROIDS" and not caught


def test_the_same_plugin_through_two_sources_is_loaded_once(plugin_env):
    plugin_env()
    registry, caught = load(("test-centroids", "faulty_plugins:CENTROIDS"),  # an entry point
                            ("faulty_plugins:CENTROIDS", "faulty_plugins:CENTROIDS"),  # env
                            ("again", "faulty_plugins:SAME_CENTROIDS"))  # a re-export
    assert registry.names() == ["test-centroids"] and not caught
    assert registry.get("test-centroids").source == "faulty_plugins:CENTROIDS"


@pytest.mark.parametrize(("value", "reason"), [
    ("exiting_plugin:MODEL", "SystemExit: this plugin exits on import"),
    ("interrupting_plugin:MODEL", "KeyboardInterrupt"),
    ("faulty_plugins:MALFORMED", "the default of 'epochs' does not fit"),
    ("faulty_plugins:NOT_A_SPEC", "is of type 'object', not a bench.plugins.ModelSpec"),
    ("faulty_plugins:MISSING", "AttributeError"),
    # old-contract plugins: one line saying what changed
    ("old_import_plugin:MODEL", "No module named 'bench.registry'. It was written for an older "
                                "harness: the plugin API is now imported from `bench.plugins`"),
    ("faulty_plugins:OLD_CONTRACT", "unexpected keyword argument 'neural'. It was written for an "
                                    "older harness"),
])
def test_a_bad_plugin_is_skipped_with_one_warning(plugin_env, value, reason):
    plugin_env()
    registry, caught = load(("bad", value), ("ok", "faulty_plugins:CENTROIDS"))
    assert registry.names() == ["test-centroids"]
    (warning,) = caught
    assert reason in str(warning.message)
    assert f"BENCH_DISABLE_PLUGINS={value}" in str(warning.message)


def test_disable_setting_skips_a_plugin_by_model_name(plugin_env):
    plugin_env()
    registry, caught = load(("keras-mlp", "bench.models.keras_mlp:MODEL"),
                            ("x", "faulty_plugins:CENTROIDS"), disabled=("keras-mlp",))
    assert registry.names() == ["test-centroids"] and not caught
    with pytest.raises(UsageError, match="'keras-mlp' is disabled by BENCH_DISABLE_PLUGINS"):
        registry.get("keras-mlp")  # not "unknown model", which sends one looking for a typo


def test_env_plugins_are_registered(plugin_env):
    plugin_env("faulty_plugins:CENTROIDS")
    assert "test-centroids" in default_registry().names()


def test_list_shows_models_and_datasets(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in BUILTINS | {"mnist", "fashion-mnist", "Ankle boot", "neural network"}:
        assert name in out
    assert "epochs: int >= 1 = 5" in out


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
    assert code == 2 and "epochs: int >= 1 = 5" in err
