"""reports/index.html: made from the committed results (copied to a temporary folder) and
opened offline in headless Chromium through Playwright. The browser tests are skipped, with
the reason, where the browser or Playwright is missing; `.ci/run` installs both."""

from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from bench.reports import html, write_reports

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "results"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
CHARTS = ("error-rates", "cost-vs-accuracy", "rank-transfer", "learning-curve")

pytestmark = pytest.mark.skipif(not (RESULTS / "runs").is_dir(), reason="no committed results")


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    """The reports of a copy of the committed results."""
    tmp = tmp_path_factory.mktemp("html")
    shutil.copytree(RESULTS, tmp / "results")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BENCH_OFFLINE", "1")
        write_reports(tmp / "results", tmp / "reports")
    return tmp / "reports"


def page_data(reports: Path) -> dict:
    text = (reports / "index.html").read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="data">(.*?)</script>', text, re.S)
    return json.loads(found.group(1))


def headline_means(dataset: str) -> dict[str, float]:
    """Mean test accuracy per model on ``dataset``, straight from the committed JSON files."""
    accs = defaultdict(list)
    for path in (RESULTS / "runs").glob("*.json"):
        rec = json.loads(path.read_text())
        if (rec["status"], rec["role"], rec["profile"], rec["dataset"]) == (
                "ok", "headline", "full", dataset):
            accs[rec["model"]].append(rec["test_accuracy"])
    return {model: sum(a) / len(a) for model, a in accs.items()}


def test_page_is_small_and_loads_the_vendored_script_unchanged(reports):
    page = (reports / "index.html").read_bytes()
    assert len(page) < 3_000_000
    assert b'<script src="plotly-basic.min.js"></script>' in page
    assert (reports / html.SCRIPT).read_bytes() == (html.ASSETS / html.SCRIPT).read_bytes()
    assert not re.search(rb"(src|href)=\"(https?:)?//", page)  # nothing fetched from afar


def test_table_numbers_are_the_headline_table_of_the_readme(reports):
    data = page_data(reports)
    readme = (reports / "README.md").read_text(encoding="utf-8")
    labels = [c["label"] for c in data["table"]["columns"]]
    col = labels.index("Fashion-MNIST test acc. (%)")
    means = headline_means("fashion-mnist")
    assert {r[0][0] for r in data["table"]["rows"]} == set(means)
    for row in data["table"]["rows"]:
        text, key = row[col]
        readme_row = next(line for line in readme.splitlines()
                          if line.startswith(f"| {row[0][0]} "))
        assert text in readme_row
        assert key == pytest.approx(100 * means[row[0][0]], abs=1e-3)


def test_families_follow_the_xiao_mapping(reports):
    families = {r[0][0]: r[1][0] for r in page_data(reports)["table"]["rows"]}
    assert families["keras-mlp"] == families["sklearn.neural_network.MLPClassifier"]
    assert families["random-forest"] == "RandomForestClassifier"
    assert families["small-cnn"] == "small-cnn"  # no Table 3 family: the model itself


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    if not CHROMIUM.exists():
        pytest.skip(f"no browser: {CHROMIUM} is missing (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def page(browser, reports):
    """The page, opened from file:// with every other request refused and recorded."""
    tab = browser.new_page(viewport={"width": 1300, "height": 900})
    tab.errors, tab.remote = [], []
    tab.on("console", lambda m: m.type == "error" and tab.errors.append(m.text))
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            tab.remote.append(r.request.url)
            r.abort()

    tab.route("**/*", route)
    tab.goto((reports / "index.html").as_uri())
    tab.wait_for_selector("#chart-learning-curve .scatterlayer .point")
    tab.screenshot(path=str(reports.parent / "index.png"), full_page=True)
    return tab


def visible_models(page) -> list[str]:
    return page.eval_on_selector_all(
        "#accuracy tbody tr:not([hidden])", "rows => rows.map(r => r.cells[0].textContent)")


def test_page_renders_offline_without_errors(page):
    assert page.errors == []
    assert page.remote == []
    assert page.text_content("#answer").startswith("Is MNIST too easy? It depends on the sense.")
    assert page.locator("#questions tbody tr").count() == 4  # + the question modules
    assert page.locator("#pages a").count() == 3


def test_sorting_by_fashion_accuracy_reorders_the_rows(page):
    before = visible_models(page)
    page.click("#accuracy th:text-is('Fashion-MNIST test acc. (%)')")
    means = headline_means("fashion-mnist")
    expected = sorted(means, key=lambda m: -means[m])
    assert visible_models(page) == expected != before
    page.click("#accuracy th:text-is('Fashion-MNIST test acc. (%)')")
    assert visible_models(page) == expected[::-1]


def test_family_and_dataset_filters_hide_rows_and_columns(page):
    every = visible_models(page)
    page.uncheck("#families input[value='MLPClassifier']")
    shown = visible_models(page)
    assert set(every) - set(shown) == {"keras-mlp", "sklearn.neural_network.MLPClassifier"}
    page.check("#families input[value='MLPClassifier']")
    assert len(visible_models(page)) == len(every)
    page.select_option("#dataset", "MNIST")
    headers = page.eval_on_selector_all("#accuracy th:not([hidden])",
                                        "ths => ths.map(t => t.textContent)")
    assert headers[:3] == ["model", "family", "MNIST test acc. (%)"]
    assert not any(h.startswith("Fashion") for h in headers)
    page.select_option("#dataset", "")


def points_drawn(page, chart: str) -> int:
    return page.locator(f"#chart-{chart} .scatterlayer .point").count()


@pytest.mark.parametrize("chart", CHARTS)
def test_each_chart_draws_its_points(page, reports, chart):
    spec = next(c for c in page_data(reports)["charts"] if c["name"] == chart)
    expected = sum(y is not None for trace in spec["data"] for y in trace["y"])
    assert expected > 0 and points_drawn(page, chart) == expected
    if chart == "error-rates":  # every model on both datasets
        assert expected == 2 * len(headline_means("mnist"))


def test_hover_names_the_model_and_a_legend_click_hides_its_family(page):
    chart = "#chart-rank-transfer"
    page.hover(f"{chart} .scatterlayer .point >> nth=0", force=True)  # plotly listens above
    tip = page.text_content(f"{chart} .hoverlayer")
    assert any(model in tip for model in headline_means("mnist")) and "[" in tip
    before = points_drawn(page, "rank-transfer")
    page.click(f"{chart} .legend .traces:has(text:text-is('MLPClassifier')) .legendtoggle")
    page.wait_for_function(  # a single click acts after plotly's double-click delay
        f"document.querySelectorAll('{chart} .scatterlayer .point').length < {before}")
    assert points_drawn(page, "rank-transfer") == before - 2  # keras-mlp and MLPClassifier
