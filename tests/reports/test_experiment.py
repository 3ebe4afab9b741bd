"""An experiment's own report (``bench report --suite``) from synthetic records: every
configuration labelled, the best and its ties, the MNIST → Fashion-MNIST transfer, curves; the
reference reports and the experiment's pages leave each other alone."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from scipy import stats as sps

from bench.cli.run import print_summary
from bench.errors import ReportsError
from bench.reports import writer
from bench.reports.experiment import write_experiment
from bench.runner.batch import RunSummary

# configuration (depth, trees) -> the synthetic model whose records it borrows on (MNIST,
# Fashion-MNIST): depth 20 is best on MNIST, depth 30 on Fashion-MNIST (3 pp better there).
GRID = {(4, 10): ("logreg", "logreg"), (10, 10): ("forest", "forest"),
        (20, 50): ("cnn", "mlp"), (30, 50): ("mlp", "cnn")}
LABELS = [f"grid depth={d} trees={t}" for d, t in GRID]


def grid_records(make, seeds=(0, 1), size=600, role="headline"):
    out = []
    for (depth, trees), models in GRID.items():
        for dataset, model in zip(("mnist", "fashion-mnist"), models, strict=True):
            for seed in seeds:
                rec = make(model, dataset, seed, train_size=size,
                           learning_curve=role != "headline")
                job = replace(rec.job, model="grid", params={"trees": trees, "depth": depth})
                out.append(replace(rec, job=job, role=role,
                                   key=f"grid-{depth}-{dataset}-s{seed}-n{size}"))
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def reports(tmp_path) -> Path:
    """A reports folder already holding (stand-in) reference reports."""
    def render(figures: Path) -> dict[str, str]:
        (figures / "accuracy.png").write_bytes(b"png")
        return {"README.md": "reference\n", "accuracy.md": "acc\n"}

    writer.publish(tmp_path / "reports", render)
    return tmp_path / "reports"


def test_every_configuration_the_best_its_ties_and_the_transfer(tmp_path, record_factory,
                                                                 store_factory, reports):
    records = grid_records(record_factory)
    results = store_factory(tmp_path / "results", records)
    reference = snapshot(reports)
    page = write_experiment("my-grid", records, 3, results, reports)[0]
    assert page == reports / "suites" / "my-grid" / "README.md"
    text = page.read_text()
    table = [line.split("|") for line in text[:text.index("## The best")].splitlines()
             if line.startswith("| grid")]
    assert [row[1].strip() for row in table] == LABELS  # labelled and in numeric order
    mean = {ds: [float(row[col].split("±")[0]) for row in table] for ds, col in
            (("mnist", 3), ("fashion", 5))}
    assert "Planned jobs without a successful result (left out): 3." in text
    mnist = text[text.index("### MNIST"):text.index("### Fashion-MNIST")]
    fashion = text[text.index("### Fashion-MNIST"):text.index("## MNIST →")]
    assert "Best: **grid depth=20 trees=50**" in mnist
    assert "Best: **grid depth=30 trees=50**" in fashion
    assert re.search(r"\| grid depth=4 trees=10 .*\| worse", mnist)  # 92% against 99%
    assert "Holm-adjusted" in text and "paired bootstrap" in text
    transfer = text[text.index("## MNIST →"):]
    rho = sps.spearmanr(mean["mnist"], mean["fashion"]).statistic
    assert f"over 4 configurations: {rho:.2f} [" in transfer
    assert "With 4 configurations ρ only describes." in transfer
    cost = re.search(r"best on MNIST \(\*\*grid depth=20 trees=50\*\*\).*a cost of "
                     r"([\d.]+) pp \[([\d.]+), ([\d.]+)\]", transfer)
    picked = mean["fashion"][mean["mnist"].index(max(mean["mnist"]))]
    assert cost and float(cost[1]) == pytest.approx(max(mean["fashion"]) - picked, abs=0.01)
    assert 0 < float(cost[1]) and float(cost[2]) <= float(cost[1]) <= float(cost[3])
    assert snapshot(reports) == {**reference, **{f"suites/my-grid/{k}": v for k, v in
                                                 snapshot(page.parent).items()}}
    again = write_experiment("my-grid", records, 3, results, reports)[0]
    assert again.read_bytes() == text.encode()  # deterministic


def test_a_later_reference_report_keeps_the_experiment_and_foreign_files_are_refused(
        tmp_path, record_factory, store_factory):
    records = grid_records(record_factory, seeds=(0,))
    results = store_factory(tmp_path / "results", records)
    fresh = tmp_path / "fresh"  # the experiment first: the folder is not the reports' yet
    write_experiment("my-grid", records, 0, results, fresh)
    before = snapshot(fresh / "suites")
    writer.publish(fresh, lambda figures: {"README.md": "reference\n"})
    assert snapshot(fresh / "suites") == before
    foreign = tmp_path / "foreign"  # an unmarked suites/<name>/ is someone else's
    (foreign / "suites" / "mine").mkdir(parents=True)
    (foreign / "suites" / "mine" / "notes.txt").write_text("not the reports'")
    for attempt in (lambda: write_experiment("my-grid", records, 0, results, foreign),
                    lambda: writer.publish(foreign, lambda figures: {"README.md": "x\n"})):
        with pytest.raises(ReportsError, match="suites/mine/notes.txt"):
            attempt()
    assert snapshot(foreign) == {"suites/mine/notes.txt": b"not the reports'"}


def test_train_size_runs_report_as_curves(tmp_path, record_factory, store_factory):
    records = [r for n in (150, 300) for r in grid_records(record_factory, size=n, role="curve")]
    results = store_factory(tmp_path / "results", records)
    text = write_experiment("sizes", records, 0, results, tmp_path / "reports")[0].read_text()
    assert "Every run is a learning-curve point" in text and "at 300 training images" in text
    rows = [line.split("|")[1:3] for line in text.splitlines() if line.startswith("| grid")]
    assert [(label.strip(), size.strip()) for label, size in rows[:len(LABELS) * 2]] == [
        (label, size) for label in LABELS for size in ("150", "300")]


def test_the_console_names_configurations_as_the_report_does(tmp_path, record_factory,
                                                             store_factory, capsys):
    records = grid_records(record_factory)
    results = store_factory(tmp_path / "results", records)
    print_summary(RunSummary(records, cached=len(records), executed=0, wall_seconds=1.0,
                             results_dir=str(results)))
    console = [re.split(r"\s{2,}", line)[0] for line in capsys.readouterr().out.splitlines()
               if line.startswith("grid")]
    assert console == LABELS
