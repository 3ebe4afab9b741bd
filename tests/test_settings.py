"""Settings: every BENCH_ variable read in one place, flags over environment, activation."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.cli import build_parser, resolve_settings
from bench.errors import UsageError
from bench.settings import Settings, get_settings, set_settings, use_settings

ENV = {
    "BENCH_DATA_DIR": "/data", "BENCH_CACHE_DIR": "~/cache", "BENCH_OFFLINE": "1",
    "BENCH_MIRRORS": "http://a/, http://b/", "BENCH_PLUGINS": "m:A,n:B",
    "BENCH_DISABLE_PLUGINS": "x", "BENCH_PLUGINS_DIR": "/plugins",
    "BENCH_THREADS_PER_JOB": "3", "KERAS_HOME": "/keras",
}


def test_every_variable_is_parsed():
    s = Settings.from_environ(ENV)
    assert s.data_dir == Path("/data") and s.cache_dir == Path("~/cache").expanduser()
    assert s.offline is True and s.mirrors == ("http://a/", "http://b/")
    assert s.plugins == ("m:A", "n:B") and s.disable_plugins == ("x",)
    assert s.plugins_dir == Path("/plugins") and s.threads_per_job == 3
    assert s.keras_home == Path("/keras")
    assert Settings.from_environ({}) == Settings()


@pytest.mark.parametrize("value", ["0", "false", "no", "off", ""])
def test_offline_false_values(value):
    assert Settings.from_environ({"BENCH_OFFLINE": value}).offline is False


@pytest.mark.parametrize("value", ["0", "-2", "many"])
def test_bad_thread_count_is_a_usage_error(value):
    with pytest.raises(UsageError, match="BENCH_THREADS_PER_JOB"):
        Settings.from_environ({"BENCH_THREADS_PER_JOB": value})


def test_overrides_win_and_none_keeps_the_environment():
    s = Settings.from_environ(ENV, data_dir="/flag", cache_dir=None)
    assert s.data_dir == Path("/flag") and s.cache_dir == Path("~/cache").expanduser()


def test_get_settings_follows_the_environment_until_activated(monkeypatch, tmp_path):
    monkeypatch.setenv("BENCH_DATA_DIR", str(tmp_path / "a"))
    assert get_settings().data_dir == tmp_path / "a"
    monkeypatch.setenv("BENCH_DATA_DIR", str(tmp_path / "b"))
    assert get_settings().data_dir == tmp_path / "b"
    chosen = Settings(data_dir=tmp_path / "chosen")
    with use_settings(chosen):
        monkeypatch.setenv("BENCH_DATA_DIR", str(tmp_path / "c"))
        assert get_settings() is chosen
    assert get_settings().data_dir == tmp_path / "c"
    set_settings(chosen)
    try:
        assert get_settings() is chosen
    finally:
        set_settings(None)


def test_data_layer_reads_the_active_settings(tmp_path):
    from bench.data import cache, download, sources
    from bench.data.specs import get_spec
    from bench.threads import threads_per_job

    spec = get_spec("mnist")
    settings = Settings(data_dir=tmp_path / "d", cache_dir=tmp_path / "c", offline=True,
                        mirrors=("http://m/{name}/",), threads_per_job=2,
                        keras_home=tmp_path / "k")
    (tmp_path / "d").mkdir()
    (tmp_path / "arg").mkdir()
    with use_settings(settings):
        assert cache.cache_dir() == tmp_path / "c"
        assert sources.require_data_dir() == tmp_path / "d"
        assert sources.require_data_dir(tmp_path / "arg") == tmp_path / "arg"
        assert sources.keras_datasets_dir() == tmp_path / "k" / "datasets"
        assert download.offline_enabled() is True
        assert download.mirror_urls(spec) == ["http://m/mnist/"]
        assert threads_per_job() == 2


@pytest.mark.parametrize("argv", [["--data-dir", "/flag", "data", "info"],
                                  ["data", "info", "--data-dir", "/flag"],
                                  ["--data-dir", "/flag", "report"],
                                  ["run", "--model", "m", "--dataset", "mnist", "--data-dir",
                                   "/flag"]])
def test_cli_flag_overrides_the_environment_in_either_position(argv, monkeypatch):
    monkeypatch.setenv("BENCH_DATA_DIR", "/env")
    monkeypatch.setenv("BENCH_OFFLINE", "1")
    settings = resolve_settings(build_parser().parse_args(argv))
    assert settings.data_dir == Path("/flag") and settings.offline is True


def test_cli_without_the_flag_uses_the_environment(monkeypatch):
    monkeypatch.setenv("BENCH_DATA_DIR", "/env")
    assert resolve_settings(build_parser().parse_args(["data", "info"])).data_dir == Path("/env")


def test_data_dir_is_defined_once_in_the_cli():
    import bench.cli

    sources = [p.read_text() for p in Path(bench.cli.__file__).parent.glob("*.py")]
    assert sum(text.count('"--data-dir"') for text in sources) == 1


def test_readme_table_lists_exactly_the_variables_read():
    import re

    import bench.settings

    read = set(re.findall(r'env\.get\("([A-Z_]+)"', Path(bench.settings.__file__).read_text()))
    readme = (Path(bench.__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.M))
    assert read and listed == read
