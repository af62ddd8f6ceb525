"""The rules of the house in ARCHITECTURE.md that a test can hold: the mathematics never imports
the book machinery, and the book machinery lives in one subpackage."""
import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "landscape"
MATHEMATICS = sorted(
    p for p in PACKAGE.rglob("*.py") if p.name != "__main__.py" and "book" not in p.relative_to(PACKAGE).parts
)
SUBPACKAGES = ("spin_glass", "rmt", "nets", "protocols")


def _imported_modules(path: Path) -> set[str]:
    """Absolute names of the landscape modules a file imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the importing module's package
                package = ["landscape", *path.parent.relative_to(PACKAGE).parts] if path.is_relative_to(PACKAGE) else ["landscape"]
                package = package[: len(package) - node.level + 1]
                base = ".".join(package) + ("." + base if base else "")
            names.add(base)
            names.update(f"{base}.{a.name}" for a in node.names)
    return {n for n in names if n == "landscape" or n.startswith("landscape.")}


@pytest.mark.parametrize("path", MATHEMATICS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_mathematics_does_not_import_the_book_machinery(path):
    offending = sorted(n for n in _imported_modules(path) if n == "landscape.book" or n.startswith("landscape.book."))
    assert not offending, f"{path.name} imports {offending}; library code must not depend on landscape.book"


def test_book_machinery_is_one_subpackage():
    machinery = {"ledger", "runner", "report", "session", "style", "sphinx_ext", "sweep", "cli"}
    assert machinery <= {p.stem for p in (PACKAGE / "book").glob("*.py")}
    assert not machinery & {p.stem for p in MATHEMATICS}


def test_the_mathematics_lives_in_subpackages():
    # the top level holds only what every subject shares: validation, the compute policy,
    # statistics, progress bars and the task runner; a new subject goes into a subpackage
    shared = {"__init__", "__main__", "_validate", "compute", "statistics", "progress", "tasks"}
    top = {p.stem for p in PACKAGE.glob("*.py")}
    assert top <= shared, f"modules outside the subpackages: {sorted(top - shared)}"
    for name in SUBPACKAGES:
        init = PACKAGE / name / "__init__.py"
        assert init.exists() and '"""' in init.read_text(), f"landscape/{name} needs an __init__ with a docstring"


def test_the_mathematics_does_not_import_the_protocols():
    # the protocols compose the subjects; a subject that imported a protocol would make a cycle
    for path in MATHEMATICS:
        if "protocols" in path.relative_to(PACKAGE).parts:
            continue
        offending = sorted(n for n in _imported_modules(path) if n.startswith("landscape.protocols"))
        assert not offending, f"{path.relative_to(PACKAGE)} imports {offending}"


def test_the_import_scan_sees_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from .book import session\nimport landscape.book.ledger\n")
    assert {"landscape.book.session", "landscape.book.ledger"} <= _imported_modules(bad)


def _chapter_references():
    book = Path(__file__).resolve().parents[1] / "book"
    pattern = re.compile(r"\{py:(func|mod|class|data)\}`~?([\w.]+)`")
    return sorted({(m.group(1), m.group(2), p.name) for p in book.glob("*.md") for m in pattern.finditer(p.read_text())})


@pytest.mark.parametrize("role, target, chapter", _chapter_references())
def test_chapter_references_name_real_objects(role, target, chapter):
    # a chapter's {py:func} link goes to the API page; a stale name would silently render as plain text
    import importlib

    parts = target.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            assert hasattr(obj, attr), f"{chapter}: {{py:{role}}}`{target}` names nothing ({attr!r} missing)"
            obj = getattr(obj, attr)
        return
    pytest.fail(f"{chapter}: {{py:{role}}}`{target}` names no importable module")


BOOK = PACKAGE.parent / "book"
CHAPTERS = sorted(p.stem for p in BOOK.glob("*.md") if "session.start(" in p.read_text())


def test_every_chapter_is_found():
    assert len(CHAPTERS) >= 10


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_reads_its_profile_from_its_protocol_module(chapter):
    # rule 2 and issue 14: a chapter's quick/full settings are defined once, in landscape/protocols/<chapter>.py
    assert (PACKAGE / "protocols" / f"{chapter}.py").exists()
    text = (BOOK / f"{chapter}.md").read_text()
    assert re.search(r"\b\w+\.PROFILES\[run\.profile\]", text), "the chapter does not read PROFILES[run.profile]"
    assert "run.pick(" not in text
    # rule 5: the run's device is passed down; nothing is pinned to the CPU in a chapter
    assert not re.search(r"""device\s*=\s*["']cpu["']""", text)
    # rule 4: named random streams, no bare integer purposes
    assert not re.search(r"run\.(torch_generator|numpy_rng)\(\s*\d", text)
