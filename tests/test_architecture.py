"""The rules of the house in ARCHITECTURE.md that a test can hold: the mathematics never imports
the book machinery, and the book machinery lives in one subpackage."""
import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "landscape"
MATHEMATICS = sorted(p for p in PACKAGE.glob("*.py") if p.name != "__main__.py")


def _imported_modules(path: Path) -> set[str]:
    """Absolute names of the landscape modules a file imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # a module directly in landscape/: one dot is landscape itself
                base = "landscape" + ("." + base if base else "")
            names.add(base)
            names.update(f"{base}.{a.name}" for a in node.names)
    return {n for n in names if n == "landscape" or n.startswith("landscape.")}


@pytest.mark.parametrize("path", MATHEMATICS, ids=lambda p: p.name)
def test_mathematics_does_not_import_the_book_machinery(path):
    offending = sorted(n for n in _imported_modules(path) if n == "landscape.book" or n.startswith("landscape.book."))
    assert not offending, f"{path.name} imports {offending}; library code must not depend on landscape.book"


def test_book_machinery_is_one_subpackage():
    machinery = {"ledger", "runner", "report", "session", "style", "sphinx_ext", "sweep", "cli"}
    assert machinery <= {p.stem for p in (PACKAGE / "book").glob("*.py")}
    assert not machinery & {p.stem for p in MATHEMATICS}


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
