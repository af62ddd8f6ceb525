import json

import numpy as np
import pytest

from landscape.ledger import ClaimFailed, Ledger, claims_frame, load_ledgers


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
