"""Execute every chapter in the quick profile through papermill, then build the site with -W.

These are the slow tests: they run the book exactly as `python -m landscape run` does, into a
temporary folder, and fail naming the chapter and the claim when a check does not hold.
"""
import json
import shutil

import pytest

from landscape.book import runner
from landscape.book.ledger import load_ledgers
from landscape.book.report import claim_anchor, claim_text

pytestmark = pytest.mark.book

CHAPTERS = runner.chapters()
QUICK_BUDGET_SECONDS = 600  # the whole book in quick must run in under 10 minutes on 2 cores
TIMES: dict[str, float] = {}


@pytest.fixture
def run_paths(book_paths):
    return book_paths


@pytest.mark.parametrize("stem", CHAPTERS)
def test_chapter_executes_in_quick_profile(stem, run_paths):
    try:
        TIMES[stem] = runner.execute_chapter(stem, profile="quick", device="cpu", seed=0, paths=run_paths)
    except runner.ChapterFailed as err:
        pytest.fail(str(err), pytrace=False)
    if stem not in runner.SUMMARY_PAGES:
        book = json.loads((run_paths.ledger / f"{stem}.json").read_text())
        assert book["claims"], f"chapter {stem} records no claims"
        assert all(c["passed"] for c in book["claims"])


def test_quick_book_fits_its_budget(run_paths):
    if set(TIMES) != set(CHAPTERS):
        pytest.skip("not every chapter executed in this session")
    total = sum(TIMES.values())
    assert total < QUICK_BUDGET_SECONDS, f"quick book took {total:.0f} s: {TIMES}"


def test_same_seed_gives_identical_ledger(run_paths, tmp_path):
    stem = "relu_to_spin_glass"
    first = run_paths.ledger / f"{stem}.json"
    if not first.exists():
        pytest.skip("chapter not executed")
    again = runner.RunPaths(executed=tmp_path / "executed", ledger=tmp_path / "ledger")
    runner.execute_chapter(stem, profile="quick", device="cpu", seed=0, paths=again)
    a = [(c["id"], c["computed"]) for c in json.loads(first.read_text())["claims"]]
    b = [(c["id"], c["computed"]) for c in json.loads((again.ledger / f"{stem}.json").read_text())["claims"]]
    assert a == b


def test_site_builds_with_warnings_as_errors(run_paths, built_site):
    html = built_site
    for stem in CHAPTERS:
        page = html / "book" / f"{stem}.html"
        assert page.exists(), f"{page} missing"
        text = page.read_text()
        assert "Traceback" not in text and "ClaimFailed" not in text
    report = (html / "book" / "report.html").read_text()
    claims = [c for b in load_ledgers(run_paths.ledger) for c in b["claims"]]
    assert claims, "no claims recorded"
    assert f"{len(claims)} of {len(claims)} claims pass" in report
    for c in claims:
        # the report shows each claim as report.claim_text renders it (ASCII math as symbols)
        assert claim_text(c["claim"]) in report, f"claim {c['id']} missing from the report page"
        assert f'id="{claim_anchor(c["chapter"], c["id"])}"' in (html / "book" / f"{c['chapter']}.html").read_text(), \
            f"claim {c['id']} has no anchor in its chapter"
    landing = (html / "book" / "intro.html").read_text()
    for stem in {c["chapter"] for c in claims if c["paper"] != "book"}:
        assert f'href="{stem}.html"' in landing, f"landing page does not list chapter {stem}"
    # keep a copy of the last tested site for inspection
    shutil.copytree(html, runner.repo_root() / "_build" / "tested_html", dirs_exist_ok=True)
