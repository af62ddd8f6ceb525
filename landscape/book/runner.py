"""Execute the book's chapters with papermill and render the site with Jupyter Book.

``python -m landscape run`` is the main job: every chapter listed in ``_toc.yml`` that is a
jupytext notebook is executed with the parameters ``profile``, ``device`` and ``seed``; the
executed notebooks go to ``_build/executed``; the claim ledgers to ``_build/ledger``; the
timings to ``_build/ledger/timings.json``; then the site is built from the executed
notebooks (execution off) into ``_build/html``.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .ledger import ENV_DIRECTORY, ENV_KEEP_GOING
from landscape.progress import ENV_PROGRESS
from landscape.tasks import ENV_CLUSTER

__all__ = ["repo_root", "chapters", "ChapterFailed", "BookFailed", "execute_chapter", "execute",
           "build_site"]


def repo_root() -> Path:
    """The repository (the folder holding ``_toc.yml``) that this package was installed from."""
    here = Path(__file__).resolve().parents[2]
    if not (here / "_toc.yml").exists():
        raise RuntimeError("the landscape package is not installed from a checkout of the book "
                           "(no _toc.yml beside it); install it with `pip install -e .`")
    return here


def _toc_files(root: Path) -> list[str]:
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []) or []:
                    walk(child)

    walk(toc)
    return files


def _is_notebook(path: Path) -> bool:
    head = path.read_text().split("\n---", 1)[0]
    return path.suffix == ".md" and "jupytext" in head and "kernelspec" in head


#: Pages that summarise the ledgers of the other chapters; they are executed after them.
SUMMARY_PAGES = ("intro", "report")


def chapters(root: Path | None = None) -> list[str]:
    """Stems of the executable chapters in execution order: table-of-contents order, with the
    summary pages (landing page, reproduction report) last because they read the others' ledgers."""
    root = root or repo_root()
    out = []
    for f in _toc_files(root):
        path = root / (f if f.endswith(".md") else f + ".md")
        if path.exists() and _is_notebook(path):
            out.append(Path(f).name)
    return [c for c in out if c not in SUMMARY_PAGES] + [c for c in out if c in SUMMARY_PAGES]


class ChapterFailed(RuntimeError):
    """A chapter raised or recorded failed claims; carries the failed claims for the message."""

    def __init__(self, chapter: str, message: str, failed_claims: list[dict]):
        self.chapter = chapter
        self.failed_claims = failed_claims
        super().__init__(message)


class BookFailed(RuntimeError):
    """One or more chapters failed in a keep-going run; carries each :class:`ChapterFailed`."""

    def __init__(self, failures: list[ChapterFailed]):
        self.failures = failures
        super().__init__("\n".join(str(f) for f in failures))


@dataclass
class RunPaths:
    executed: Path
    ledger: Path

    @classmethod
    def default(cls, root: Path) -> "RunPaths":
        return cls(executed=root / "_build" / "executed", ledger=root / "_build" / "ledger")


def execute_chapter(stem: str, *, profile: str = "quick", device: str = "cpu", seed: int = 0,
                    paths: RunPaths | None = None, root: Path | None = None,
                    keep_going: bool = True, cluster: str | None = None) -> float:
    """Execute one chapter with papermill; returns the wall time in seconds.

    With ``keep_going`` (the default) a failed claim is recorded and the chapter goes on, so
    that every claim is evaluated; the chapter fails at the end.  Without it the first failed
    claim stops the chapter.  Either way a failure raises :class:`ChapterFailed` naming the
    chapter and every failed claim; the executed notebook is written first.  ``cluster`` (``serial``,
    ``local``, ``slurm`` or a Dask scheduler address) is where the chapter's independent units run
    (:mod:`landscape.tasks`); the default is the profile's (serial at ``quick``, local at ``full``).
    """
    import jupytext
    import nbformat
    import papermill

    root = root or repo_root()
    paths = paths or RunPaths.default(root)
    source = root / "book" / f"{stem}.md"
    if not source.exists():
        raise ValueError(f"`chapter` {stem!r} is not a chapter of the book (no {source})")
    (paths.executed / "book").mkdir(parents=True, exist_ok=True)
    (paths.executed / "_inputs").mkdir(parents=True, exist_ok=True)
    paths.ledger.mkdir(parents=True, exist_ok=True)
    nb = jupytext.read(source)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src_ipynb = paths.executed / "_inputs" / f"{stem}.ipynb"
    nbformat.write(nb, src_ipynb)
    out_ipynb = paths.executed / "book" / f"{stem}.ipynb"
    env_before = {k: os.environ.get(k) for k in (ENV_DIRECTORY, ENV_KEEP_GOING, ENV_PROGRESS, ENV_CLUSTER)}
    os.environ[ENV_DIRECTORY] = str(paths.ledger)
    os.environ[ENV_KEEP_GOING] = "1" if keep_going else "0"
    # progress bars go to a log beside the executed notebooks, never into the notebook's outputs
    # (the site would show every frame as a stderr block)
    progress_log = paths.executed / "progress" / f"{stem}.log"
    progress_log.parent.mkdir(parents=True, exist_ok=True)
    progress_log.write_text("")
    os.environ[ENV_PROGRESS] = str(progress_log)
    if cluster:
        os.environ[ENV_CLUSTER] = cluster
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    start = time.perf_counter()
    cell_error = None
    try:
        papermill.execute_notebook(
            str(src_ipynb), str(out_ipynb),
            parameters={"profile": profile, "device": device, "seed": seed},
            kernel_name="python3", cwd=str(root / "book"), progress_bar=False,
            log_output=False, report_mode=False,
            # the kernel's own log (a warning about its loopback TCP transport at start, an
            # interrupt message at shutdown) is noise; cell errors still reach papermill as outputs
            extra_arguments=["--log-level=CRITICAL"])
    except papermill.PapermillExecutionError as err:
        cell_error = err
    finally:
        for key, value in env_before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    seconds = time.perf_counter() - start
    if stem not in SUMMARY_PAGES:
        # recorded here, not by `execute`, so that chapters executed one at a time are timed too
        from .session import resolve_device

        _record_timing(paths.ledger, profile, stem, seconds, str(resolve_device(device)))
    failed = _failed_claims(paths.ledger / f"{stem}.json") if stem not in SUMMARY_PAGES else []
    if failed or cell_error is not None:
        lines = []
        if failed:
            lines.append(f"chapter '{stem}' failed: {len(failed)} claim(s) did not hold")
            lines += [f"  - {c['id']}: {c['claim']} [{c['where']}] expected {c['expected']}, "
                      f"computed {c['computed']}, tolerance {c['tolerance']}" for c in failed]
        if cell_error is not None and not (failed and cell_error.ename == "ClaimFailed"):
            lines.append(f"chapter '{stem}' failed in cell {cell_error.exec_count}: "
                         f"{cell_error.ename}: {cell_error.evalue}")
        raise ChapterFailed(stem, "\n".join(lines), failed)
    return seconds


def _failed_claims(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [c for c in json.loads(path.read_text()).get("claims", []) if not c.get("passed")]


def _record_timing(ledger_dir: Path, profile: str, stem: str, seconds: float, device: str) -> None:
    path = ledger_dir / "timings.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data.setdefault(profile, {})[stem] = {"seconds": round(seconds, 1), "device": device,
                                          "cores": os.cpu_count()}
    path.write_text(json.dumps(data, indent=1))


def execute(only: list[str] | None = None, *, profile: str = "quick", device: str = "cpu",
            seed: int = 0, paths: RunPaths | None = None, root: Path | None = None,
            echo=print, keep_going: bool = True, cluster: str | None = None) -> dict[str, float]:
    """Execute the chapters (all, or those named in ``only``; the report page is always refreshed).

    Returns ``{chapter: seconds}``.  With ``keep_going`` every chapter is executed even after one
    fails (the summary pages then show the failures) and :class:`BookFailed` is raised at the
    end; without it the first failing chapter raises :class:`ChapterFailed`.
    """
    from tqdm.auto import tqdm

    from landscape.compute import resolve_device

    root = root or repo_root()
    paths = paths or RunPaths.default(root)
    resolve_device(device)  # an unavailable device fails here, before any chapter runs
    every = chapters(root)
    if only:
        # a chapter not yet in the table of contents can still be executed on its own
        drafts = [c for c in only if c not in every and (root / "book" / f"{c}.md").exists()
                  and _is_notebook(root / "book" / f"{c}.md")]
        unknown = [c for c in only if c not in every and c not in drafts]
        if unknown:
            raise ValueError(f"`only` names unknown chapter(s) {unknown}; chapters are {every}")
        selected = [c for c in every if c in only and c not in SUMMARY_PAGES] + drafts
        selected += [c for c in every if c in SUMMARY_PAGES]
    else:
        selected = every
    times = {}
    failures: list[ChapterFailed] = []
    bar = tqdm(selected, desc="chapters", unit="chapter", file=sys.stderr, disable=None)
    t0 = time.perf_counter()
    for stem in bar:
        bar.set_postfix_str(stem)
        t_chapter = time.perf_counter()
        try:
            seconds = execute_chapter(stem, profile=profile, device=device, seed=seed, paths=paths,
                                      root=root, keep_going=keep_going, cluster=cluster)
            status = ""
        except ChapterFailed as err:
            if not keep_going:
                raise
            failures.append(err)
            seconds = time.perf_counter() - t_chapter
            status = f"   FAILED ({len(err.failed_claims)} claim(s))" if err.failed_claims else "   FAILED"
        times[stem] = seconds
        echo(f"  {stem:<32s} {seconds:7.1f} s   (elapsed {time.perf_counter() - t0:6.1f} s){status}")
    if failures:
        raise BookFailed(failures)
    return times


def _stage_notebook(source: Path, target: Path) -> None:
    """Copy an executed notebook for the site, hiding the default-parameters cell.

    papermill adds a cell with the parameters actually used (tagged ``injected-parameters``);
    the page shows that one and hides the defaults it overrides.  A page whose own parameters
    cell is tagged ``remove-cell`` (the landing page, the report: their parameters only say
    which ledgers to read) shows neither.
    """
    import nbformat

    nb = nbformat.read(source, as_version=4)
    hide_injected = any({"parameters", "remove-cell"} <= set(c.metadata.get("tags", [])) for c in nb.cells)
    if any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells):
        for cell in nb.cells:
            tags = cell.metadata.get("tags", [])
            hide = "parameters" in tags or ("injected-parameters" in tags and hide_injected)
            if hide and "remove-cell" not in tags:
                cell.metadata["tags"] = tags + ["remove-cell"]
    nbformat.write(nb, target)


def build_site(*, paths: RunPaths | None = None, root: Path | None = None, strict: bool = True,
               output: Path | None = None) -> Path:
    """Render the executed notebooks into a static site; returns the html folder.

    A staging copy of the book is made in ``_build/site_src`` with the executed ``.ipynb`` in
    place of each chapter's ``.md`` and execution switched off, then built with
    ``jupyter-book build`` (``-W`` when ``strict``: every warning is an error).
    """
    import yaml

    root = root or repo_root()
    paths = paths or RunPaths.default(root)
    stage = root / "_build" / "site_src"
    if stage.exists():
        shutil.rmtree(stage)
    (stage / "book").mkdir(parents=True)
    config = yaml.safe_load((root / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    (stage / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    for name in ("_toc.yml", "references.bib"):
        shutil.copy(root / name, stage / name)
    notebooks = set(chapters(root))
    missing = [s for s in notebooks if not (paths.executed / "book" / f"{s}.ipynb").exists()]
    if missing:
        raise RuntimeError(f"chapters not executed yet: {missing}; run `python -m landscape run` first")
    for item in (root / "book").iterdir():
        if item.suffix == ".md" and item.stem in notebooks:
            _stage_notebook(paths.executed / "book" / f"{item.stem}.ipynb", stage / "book" / f"{item.stem}.ipynb")
        elif item.is_dir():
            shutil.copytree(item, stage / "book" / item.name)
        elif item.suffix not in (".ipynb",):
            shutil.copy(item, stage / "book" / item.name)
    output = output or root
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(stage), "--path-output", str(output),
           "--builder", "html", "--all"]
    if strict:
        cmd += ["--warningiserror", "--keep-going"]
    # the build stamp in every page's footer reads the run's profile, seed and device from these ledgers
    env = {**os.environ, ENV_DIRECTORY: str(paths.ledger)}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"jupyter-book build failed (exit {proc.returncode}):\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}")
    return Path(output) / "_build" / "html"
