import os

import pytest
from hypothesis import HealthCheck, settings

# Deterministic property tests, with enough examples to matter but bounded time on 2 cores.
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def ledger_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LANDSCAPE_LEDGER_DIR", str(tmp_path / "ledger"))
    return tmp_path / "ledger"


@pytest.fixture(scope="session")
def book_paths(tmp_path_factory):
    """Where the test session's executed notebooks and ledgers go."""
    from landscape.book import runner

    base = tmp_path_factory.mktemp("book")
    return runner.RunPaths(executed=base / "executed", ledger=base / "ledger")


@pytest.fixture(scope="session")
def built_site(book_paths, tmp_path_factory):
    """The site built with warnings as errors from this session's executed chapters.

    Chapters not executed yet by tests/test_book.py are executed here, so that the browser
    tests can also run on their own.
    """
    from landscape.book import runner

    for stem in runner.chapters():
        if not (book_paths.executed / "book" / f"{stem}.ipynb").exists():
            runner.execute_chapter(stem, profile="quick", device="cpu", seed=0, paths=book_paths)
    out = tmp_path_factory.mktemp("site")
    html = runner.build_site(paths=book_paths, output=out, strict=True)
    return html
