import json

import numpy as np
import pytest

from landscape.book.ledger import ClaimFailed, Ledger, claims_frame, load_ledgers


def make(tmp_path):
    return Ledger("demo", profile="quick", seed=3, directory=tmp_path)


def test_passing_claims_are_written(tmp_path):
    led = make(tmp_path)
    led.close("a", "pi", "book", "here", expected=np.pi, computed=3.14159, atol=1e-5, basis="rounding")
    led.bound("b", "positive", "book", "here", computed=[1.0, 2.0], lower=0.0, basis="exact")
    led.holds("c", "ordering", "choromanska2015", "Thm 3.1", True, expected="a > b", computed="a > b", basis="exact")
    data = json.loads((tmp_path / "demo.json").read_text())
    assert [c["id"] for c in data["claims"]] == ["a", "b", "c"]
    assert all(c["passed"] for c in data["claims"])
    assert data["seed"] == 3 and data["profile"] == "quick"


def test_failing_claim_is_recorded_then_raises(tmp_path):
    led = make(tmp_path)
    with pytest.raises(ClaimFailed, match="claim 'x'.*FAILED"):
        led.close("x", "wrong", "book", "here", expected=1.0, computed=1.1, atol=0.01, basis="test")
    data = json.loads((tmp_path / "demo.json").read_text())
    assert data["claims"][0]["passed"] is False


@pytest.mark.parametrize("computed", [np.nan, np.inf])
def test_non_finite_values_fail(tmp_path, computed):
    led = make(tmp_path)
    with pytest.raises(ClaimFailed):
        led.close("x", "nan", "book", "here", expected=0.0, computed=computed, atol=1.0, basis="test")
    with pytest.raises(ClaimFailed):
        led.bound("y", "nan", "book", "here", computed=computed, lower=-1.0, basis="test")


def test_per_entry_tolerances(tmp_path):
    led = make(tmp_path)
    led.close("ok", "vector", "book", "here", expected=[0.0, 0.0], computed=[0.5, 0.05], atol=np.array([1.0, 0.1]), basis="se")
    with pytest.raises(ClaimFailed):
        led.close("bad", "vector", "book", "here", expected=[0.0, 0.0], computed=[0.5, 0.5], atol=np.array([1.0, 0.1]), basis="se")


def test_bad_input(tmp_path):
    led = make(tmp_path)
    with pytest.raises(ValueError, match="paper"):
        led.close("a", "c", "nature2099", "x", expected=0, computed=0, basis="b")
    with pytest.raises(ValueError, match="verdict"):
        led.close("a", "c", "book", "x", expected=0, computed=0, basis="b", verdict="maybe")
    with pytest.raises(ValueError, match="basis"):
        led.close("a", "c", "book", "x", expected=0, computed=0, basis="")
    led.close("a", "c", "book", "x", expected=0, computed=0, basis="b")
    with pytest.raises(ValueError, match="already used"):
        led.close("a", "c", "book", "x", expected=0, computed=0, basis="b")
    with pytest.raises(ValueError, match="passed"):
        led.holds("h", "c", "book", "x", "yes", expected="", computed="", basis="b")
    with pytest.raises(ValueError, match="atol"):
        led.close("n", "c", "book", "x", expected=0, computed=0, atol=-1, basis="b")
    with pytest.raises(ValueError, match="chapter"):
        Ledger("", directory=tmp_path)


def test_new_ledger_replaces_old_file_and_loads(tmp_path):
    led = make(tmp_path)
    led.close("a", "c", "book", "x", expected=0, computed=0, basis="b")
    make(tmp_path)  # a fresh run of the same chapter starts empty
    books = load_ledgers(tmp_path)
    assert len(books) == 1 and books[0]["claims"] == []
    frame = claims_frame([{"id": "a", "claim": "c", "paper": "book", "where": "x", "expected": 1.0,
                           "computed": 1.0, "tolerance": "exact", "basis": "b", "verdict": "method", "passed": True}])
    assert list(frame["status"]) == ["pass"]


# -- statistical claims ----------------------------------------------------------------------

def test_relation_outcomes_and_margins(tmp_path):
    led = Ledger("demo", profile="quick", seed=0, directory=tmp_path, keep_going=True)
    holds = led.test("h", "positive", "book", "x", estimate=1.0, se=0.1, lower=0.0, basis="b")
    near = led.test("n", "positive", "book", "x", estimate=0.2, se=0.1, lower=0.0, basis="b")
    wrong = led.test("r", "positive", "book", "x", estimate=-1.0, se=0.1, lower=0.0, basis="b")
    assert (holds.outcome, holds.passed, holds.margin) == ("holds", True, pytest.approx(10.0))
    # decided at quick but within the margin: a failure (the chapter declared it decidable)
    assert (near.outcome, near.passed, near.shown_verdict) == ("inconclusive", False, "inconclusive")
    assert (wrong.outcome, wrong.passed, wrong.margin) == ("refuted", False, pytest.approx(-10.0))
    assert wrong.shown_verdict == "refuted"
    # two-sided band: the margin is the distance to the nearer edge
    band = led.test("b", "in band", "book", "x", estimate=0.5, se=0.01, lower=0.0, upper=0.6, basis="b")
    assert band.margin == pytest.approx(10.0)


def test_undecided_profile_is_inconclusive_but_refutation_still_fails(tmp_path):
    led = Ledger("demo", profile="quick", seed=0, directory=tmp_path, keep_going=True)
    weak = led.test("w", "positive", "book", "x", estimate=0.2, se=0.1, lower=0.0, basis="b",
                    decided_at=("full",))
    strong = led.test("s", "positive", "book", "x", estimate=2.0, se=0.1, lower=0.0, basis="b",
                      decided_at="full")
    against = led.test("a", "positive", "book", "x", estimate=-2.0, se=0.1, lower=0.0, basis="b",
                       decided_at="full")
    assert weak.passed and weak.shown_verdict == "inconclusive"
    assert strong.passed and strong.outcome == "holds" and strong.shown_verdict == "inconclusive"
    assert not against.passed


def test_agreement_needs_power_and_is_bonferroni_corrected(tmp_path):
    led = Ledger("demo", profile="full", seed=0, directory=tmp_path, keep_going=True)
    ok = led.test("ok", "mean", "book", "x", estimate=1.0 + 3.0 * 0.01, se=0.01, agrees_with=1.0,
                  resolution=0.1, basis="b")
    assert ok.outcome == "holds" and ok.margin == pytest.approx(3.89 - 3.0, abs=0.01)
    blind = led.test("blind", "mean", "book", "x", estimate=1.0, se=0.1, agrees_with=1.0,
                     resolution=0.1, basis="b")
    assert blind.outcome == "inconclusive" and not blind.passed
    off = led.test("off", "mean", "book", "x", estimate=[1.0, 1.05], se=0.01, agrees_with=1.0, basis="b")
    assert off.outcome == "refuted"
    # with 20 entries the critical value grows (Bonferroni): 4.0 s.e. is no longer a rejection
    many = led.test("many", "mean", "book", "x", estimate=[1.04] + [1.0] * 19, se=0.01, agrees_with=1.0,
                    basis="b")
    assert many.outcome == "holds"


def test_rejection_of_the_papers_value(tmp_path):
    led = Ledger("demo", profile="quick", seed=0, directory=tmp_path, keep_going=True)
    far = led.test("far", "excluded", "book", "x", estimate=1.2, se=0.01, rejects=1.0, basis="b",
                   verdict="differs")
    close_by = led.test("close", "excluded", "book", "x", estimate=1.01, se=0.01, rejects=1.0, basis="b",
                        verdict="differs")
    assert far.passed and far.shown_verdict == "differs"
    # failing to exclude is not evidence against the paper: inconclusive, and a failure only
    # because the chapter declared quick decisive
    assert close_by.outcome == "inconclusive" and not close_by.passed


def test_statistical_bad_input(tmp_path):
    led = make(tmp_path)
    with pytest.raises(ValueError, match="exactly one decision rule"):
        led.test("a", "c", "book", "x", estimate=1.0, se=0.1, basis="b")
    with pytest.raises(ValueError, match="exactly one decision rule"):
        led.test("a", "c", "book", "x", estimate=1.0, se=0.1, lower=0, agrees_with=1.0, basis="b")
    with pytest.raises(ValueError, match="`se` must be positive"):
        led.test("a", "c", "book", "x", estimate=1.0, se=0.0, lower=0, basis="b")
    with pytest.raises(ValueError, match="decided_at"):
        led.test("a", "c", "book", "x", estimate=1.0, se=0.1, lower=0, decided_at=("fast",), basis="b")


def test_non_finite_estimate_is_refuted(tmp_path):
    led = Ledger("demo", profile="quick", seed=0, directory=tmp_path, keep_going=True)
    c = led.test("nan", "c", "book", "x", estimate=np.nan, se=0.1, lower=0.0, basis="b", decided_at="full")
    assert not c.passed and c.outcome == "refuted"


def test_keep_going_records_and_continues(tmp_path):
    led = Ledger("demo", profile="quick", seed=0, directory=tmp_path, keep_going=True)
    led.close("x", "wrong", "book", "here", expected=1.0, computed=1.1, atol=0.01, basis="test")
    led.close("y", "right", "book", "here", expected=1.0, computed=1.0, basis="test")
    assert [c.id for c in led.failed] == ["x"]
    data = json.loads((tmp_path / "demo.json").read_text())
    assert [c["passed"] for c in data["claims"]] == [False, True]


def test_keep_going_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("LANDSCAPE_KEEP_GOING", "1")
    assert Ledger("demo", directory=tmp_path).keep_going
    monkeypatch.setenv("LANDSCAPE_KEEP_GOING", "0")
    assert not Ledger("demo", directory=tmp_path).keep_going
