"""The report page's tables are built from what the runs wrote, and say so when nothing was."""
import json

from landscape.book import report


def test_benchmarks_html_says_when_nothing_was_run(tmp_path):
    assert "No benchmark was run" in report.benchmarks_html(tmp_path / "missing")


def test_written_benchmark_is_shown_with_its_numbers(tmp_path):
    path = report.write_benchmark("demo", title="Demo <kernel>", command="python demo.py",
                                  columns=["size", "runs/s"], rows=[[10, 12.5], [20, 3.25]],
                                  notes="speed-up 3.8x", directory=tmp_path)
    record = json.loads(path.read_text())
    assert record["rows"] == [[10, 12.5], [20, 3.25]] and "cores" in record["machine"]
    page = report.benchmarks_html(tmp_path)
    assert "Demo &lt;kernel&gt;" in page  # escaped, not raw HTML
    assert "<td>3.25</td>" in page and "speed-up 3.8x" in page


def _ledger_with_findings(directory):
    from landscape.book.ledger import Ledger

    led = Ledger("demo_chapter", profile="quick", seed=3, device="cpu", directory=directory, keep_going=True)
    led.close("exact.one", "Psi^2 H >= N holds for <all> sizes", "choromanska2015", "eq. (2)", expected=2, computed=2,
              atol=0, basis="exact integer arithmetic")
    led.close("misprint", "the corrected sign of eq. (4)", "becker2018", "eq. (4)", expected=1.0, computed=1.0,
              atol=0, basis="exact", verdict="erratum")
    led.test("bigger", "the estimate differs from the printed 0.5", "becker2020", "Fig. 2", estimate=0.9, se=0.01,
             rejects=0.5, basis="Monte-Carlo s.e.", verdict="differs")
    return led


def test_every_claim_row_carries_its_anchor_and_the_report_links_to_it(tmp_path):
    led = _ledger_with_findings(tmp_path)
    table = led.frame()._repr_html_()
    for c in led.claims:
        assert f'<tr id="{report.claim_anchor(c.chapter, c.id)}">' in table
    assert report.claim_anchor("demo_chapter", "exact.one") == "claim-demo_chapter-exact-one"
    # the chapter's table puts verdict and status first and shows ASCII math as symbols
    first_row = table.split("<tbody>")[1]
    assert first_row.index("reproduced") < first_row.index("Ψ² H ≥ N")
    assert "&lt;all&gt;" in table  # escaped, not raw HTML
    full = report.claims_html(tmp_path, papers="choromanska2015")
    assert 'href="demo_chapter.html#claim-demo_chapter-exact-one"' in full and "misprint" not in full


def test_findings_list_every_erratum_and_differs_claim_with_evidence(tmp_path):
    _ledger_with_findings(tmp_path)
    listed = report.findings_html(tmp_path)
    assert listed.count("<li>") == 2
    assert 'href="demo_chapter.html#claim-demo_chapter-misprint"' in listed
    assert 'href="demo_chapter.html#claim-demo_chapter-bigger"' in listed
    assert "computed 0.9" in listed and "exact.one" not in listed
    summary = report.summary_html(tmp_path)
    assert "3 of 3 claims pass" in summary and "href='#claims-becker2018'" in summary


def test_claims_html_rejects_an_unknown_paper(tmp_path):
    import pytest

    with pytest.raises(ValueError, match="papers"):
        report.claims_html(tmp_path, papers="nobody2099")


def test_timings_are_recorded_for_chapters_run_one_at_a_time(tmp_path):
    from landscape.book import runner

    runner._record_timing(tmp_path, "quick", "demo_chapter", 12.34, "cpu")
    page = report.timings_html(tmp_path)
    assert "12.3" in page and "No timings" not in page


def test_claim_text_keeps_words_and_replaces_ascii_math():
    assert report.claim_text("eps <= 1/2 and Lambda^2 -> phi") == "ε ≤ 1/2 and Λ² → φ"
    assert report.claim_text("epsilon-net; the psi-function; alphabet") == "ε-net; the ψ-function; alphabet"
