import json

import pytest

from landscape.book import sweep
from landscape.book.ledger import Ledger


def test_parse_seeds():
    assert sweep.parse_seeds("0-3") == [0, 1, 2, 3]
    assert sweep.parse_seeds("5, 1,2-3") == [1, 2, 3, 5]
    for bad in ("", "a", "3-1", "-2", "1,,2"):
        with pytest.raises(ValueError, match="seeds"):
            sweep.parse_seeds(bad)


def _sweep_folder(tmp_path, margins):
    """A sweep folder with one chapter whose claim `slope` has the given relation margins."""
    for seed, m in enumerate(margins):
        led = Ledger("demo", profile="quick", seed=seed, directory=tmp_path / f"seed-{seed}" / "ledger",
                     keep_going=True)
        led.test("slope", "negative slope", "book", "x", estimate=-m * 0.1, se=0.1, upper=0.0, basis="b")
        led.close("exact", "1 + 1", "book", "x", expected=2, computed=2, basis="exact")
    return tmp_path


def test_stability_counts_outcomes_and_margins(tmp_path):
    base = _sweep_folder(tmp_path, [10.0, 8.0, 2.0])
    rows = {r["id"]: r for r in sweep.stability(base)}
    slope = rows["slope"]
    assert slope["runs"] == 3 and slope["holds"] == 2 and slope["inconclusive"] == 1
    assert slope["failed"] == 1 and slope["failed_seeds"] == [2]
    assert slope["min_margin"] == pytest.approx(2.0) and slope["weak"]
    assert 0 < slope["flip_estimate"] < 1
    assert rows["exact"]["form"] == "exact" and rows["exact"]["failed"] == 0 and not rows["exact"]["weak"]
    path = sweep.write_stability(base, list(rows.values()), profile="quick", seeds=[0, 1, 2])
    data = json.loads(path.read_text())
    assert data["failed_claims"] == 1
    page = sweep.stability_html(data=data)
    assert "slope" in page and "1 failed claim evaluations" in page


def test_stable_claim_is_not_weak(tmp_path):
    rows = {r["id"]: r for r in sweep.stability(_sweep_folder(tmp_path, [9.0, 10.0, 11.0, 10.0]))}
    assert not rows["slope"]["weak"] and rows["slope"]["flip_estimate"] < 1e-3


def test_sweep_rejects_unknown_chapter():
    with pytest.raises(ValueError, match="only"):
        sweep.run_sweep([0], only=["no_such_chapter"], echo=lambda *a: None)
