from bench.reports.inputs import seed_invariant_notes
from bench.results.record import RunRecord


def run(model, seed, predictions):
    return RunRecord.from_fields(key=f"{model}-{seed}", model=model, model_version="1", params={},
                     dataset="mnist", dataset_sha256={}, seed=seed, profile="full",
                     train_size=10, test_size=3, status="ok", test_predictions=predictions)


def test_models_whose_seeds_agree_exactly_get_a_note():
    runs = [run("lr", 0, "012"), run("lr", 1, "012"), run("mlp", 0, "012"), run("mlp", 1, "011")]
    notes = seed_invariant_notes(runs)
    assert len(notes) == 1 and notes[0].startswith("lr gives identical predictions on every seed")


def test_a_single_seed_is_not_called_invariant():
    assert seed_invariant_notes([run("lr", 0, "012")]) == []
