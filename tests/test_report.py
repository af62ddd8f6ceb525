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
