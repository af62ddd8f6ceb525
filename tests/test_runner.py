"""Keep-going and strict execution, on a tiny book of two chapters written for the test."""
import json
import textwrap

import pytest

from landscape.book import runner

HEADER = textwrap.dedent("""\
    ---
    jupytext:
      text_representation:
        extension: .md
        format_name: myst
        format_version: 0.13
    kernelspec:
      display_name: Python 3
      language: python
      name: python3
    ---

    # {title}

    ```{{code-cell}} ipython3
    :tags: [parameters]

    profile = "quick"
    device = "cpu"
    seed = 0
    ```

    ```{{code-cell}} ipython3
    from landscape.book import session

    run = session.start(profile, device, seed, chapter="{stem}")
    ledger = run.ledger
    ```
    """)

CLAIM = textwrap.dedent("""\

    ```{{code-cell}} ipython3
    ledger.close("{id}", "a check", "book", "here", expected=1.0, computed={value}, atol=1e-9, basis="exact")
    ```
    """)


def _book(tmp_path, chapters: dict[str, list[tuple[str, float]]]):
    (tmp_path / "book").mkdir()
    toc = {"format": "jb-book", "root": f"book/{next(iter(chapters))}",
           "chapters": [{"file": f"book/{s}"} for s in list(chapters)[1:]]}
    (tmp_path / "_toc.yml").write_text(json.dumps(toc))
    for stem, claims in chapters.items():
        text = HEADER.format(title=stem, stem=stem) + "".join(CLAIM.format(id=i, value=v) for i, v in claims)
        (tmp_path / "book" / f"{stem}.md").write_text(text)
    return runner.RunPaths(executed=tmp_path / "executed", ledger=tmp_path / "ledger")


def _ids(paths, stem):
    return [(c["id"], c["passed"]) for c in json.loads((paths.ledger / f"{stem}.json").read_text())["claims"]]


@pytest.mark.book
def test_keep_going_evaluates_every_claim_and_every_chapter(tmp_path):
    paths = _book(tmp_path, {"bad": [("a", 2.0), ("b", 1.0), ("c", 3.0)], "good": [("d", 1.0)]})
    with pytest.raises(runner.BookFailed) as err:
        runner.execute(profile="quick", device="cpu", seed=0, paths=paths, root=tmp_path, echo=lambda *a: None)
    assert [f.chapter for f in err.value.failures] == ["bad"]
    assert [c["id"] for c in err.value.failures[0].failed_claims] == ["a", "c"]
    assert _ids(paths, "bad") == [("a", False), ("b", True), ("c", False)]
    assert _ids(paths, "good") == [("d", True)]  # executed after the failing chapter


@pytest.mark.book
def test_strict_stops_at_the_first_failed_claim(tmp_path):
    paths = _book(tmp_path, {"bad": [("a", 2.0), ("b", 1.0)], "good": [("d", 1.0)]})
    with pytest.raises(runner.ChapterFailed, match="'a'|a:") as err:
        runner.execute(profile="quick", device="cpu", seed=0, paths=paths, root=tmp_path,
                       echo=lambda *a: None, keep_going=False)
    assert err.value.chapter == "bad"
    assert _ids(paths, "bad") == [("a", False)]
    assert not (paths.ledger / "good.json").exists()
