"""The website as a reader meets it: every page opened in a real (headless) Chromium.

The site is built with warnings as errors from the chapters executed in this test session,
served on a loopback port, and every page is checked for broken images, unrendered TeX,
console errors, error outputs, unnumbered or uncaptioned figures, transparent figures (which
disappear in dark mode), horizontal overflow at 1280 px, and internal links that do not
resolve. A screenshot of every page is saved under ``_build/screenshots`` for inspection.
"""
from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

from landscape.book import runner

pytestmark = pytest.mark.site

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; .ci/run installs Debian's chromium package")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(built_site):
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", Path(built_site)
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _pages(site: Path) -> list[str]:
    pages = ["index.html"] + [f"book/{p.name}" for p in sorted((site / "book").glob("*.html"))]
    return pages


PROSE_TEXT = """() => {
  const main = document.querySelector('main') || document.body;
  const clone = main.cloneNode(true);
  clone.querySelectorAll('pre, code, .cell_input, .highlight, mjx-container, script, style').forEach(e => e.remove());
  return clone.innerText;
}"""

FIGURE_INFO = """() => Array.from(document.querySelectorAll('.cell_output img, figure img')).map(img => {
  const fig = img.closest('figure');
  const cap = fig ? fig.querySelector('figcaption') : null;
  let corner = null;
  try {
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    corner = Array.from(ctx.getImageData(1, 1, 1, 1).data);
  } catch (e) { corner = String(e); }
  return {src: img.getAttribute('src'), width: img.naturalWidth, inFigure: !!fig,
          number: cap && cap.querySelector('.caption-number') ? cap.querySelector('.caption-number').innerText : null,
          caption: cap ? cap.innerText : null, corner: corner};
})"""


def test_every_page_renders_for_a_reader(browser, server):
    base, site = server
    shots = runner.repo_root() / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    links: dict[str, set[str]] = {}
    for rel in _pages(site):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        failed: list[str] = []
        page.on("requestfailed", lambda r, failed=failed: failed.append(r.url))
        # the browser asks for /favicon.ico on its own; the site does not reference one
        page.on("response", lambda r, failed=failed: failed.append(f"{r.url} ({r.status})")
                if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
        response = page.goto(urljoin(base, rel))
        page.wait_for_load_state("networkidle")
        if response is None or response.status != 200:
            problems.append(f"{rel}: HTTP {None if response is None else response.status}")
            continue
        has_math = page.locator(".math, mjx-container").count() > 0
        if has_math:
            # some equations sit in collapsed blocks, so wait for MathJax to finish, not for visibility
            page.wait_for_selector("mjx-container", state="attached", timeout=30000)
            page.evaluate("() => (window.MathJax && MathJax.startup && MathJax.startup.promise) ? MathJax.startup.promise.then(() => true) : true")
        page.screenshot(path=str(shots / (rel.replace("/", "_") + ".png")), full_page=True)
        prose = page.evaluate(PROSE_TEXT)
        raw_tex = re.findall(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\(?:frac|Lambda|sum|mathbb|mathcal|epsilon|sqrt)\b", prose)
        if raw_tex:
            problems.append(f"{rel}: unrendered TeX in the text: {sorted(set(raw_tex))}")
        errors = [e for e in errors if not e.startswith("Failed to load resource")]  # reported below with the URL
        if errors:
            problems.append(f"{rel}: console errors: {errors}")
        own_failed = [u for u in failed if u.startswith(base)]
        if own_failed:
            problems.append(f"{rel}: assets failed to load: {own_failed}")
        if page.locator(".output.error, .output.traceback, div.traceback").count():
            problems.append(f"{rel}: an error output is shown")
        if "Traceback (most recent call last)" in page.content():
            problems.append(f"{rel}: a traceback is shown")
        broken = page.evaluate("() => Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
        if broken:
            problems.append(f"{rel}: broken images {broken}")
        for fig in page.evaluate(FIGURE_INFO):
            if not fig["inFigure"] or not fig["number"] or not (fig["caption"] or "").strip():
                problems.append(f"{rel}: figure {fig['src']} has no number or caption")
            if not isinstance(fig["corner"], list) or fig["corner"][3] != 255:
                problems.append(f"{rel}: figure {fig['src']} is not opaque (corner pixel {fig['corner']}); unreadable in dark mode")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 1:
            problems.append(f"{rel}: page overflows horizontally by {overflow}px at 1280px")
        final = urlparse(page.url).path.lstrip("/")  # index.html redirects to the landing page
        links[final] = set(page.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))"))
        page.close()
    problems += _check_internal_links(site, links)
    assert not problems, "\n".join(problems)


def _check_internal_links(site: Path, links: dict[str, set[str]]) -> list[str]:
    problems = []
    ids_cache: dict[Path, set[str]] = {}
    for rel, hrefs in links.items():
        for href in hrefs:
            parsed = urlparse(href)
            if parsed.scheme in ("http", "https", "mailto", "javascript") or href.startswith("//"):
                continue
            target = (site / rel).parent / unquote(parsed.path) if parsed.path else site / rel
            target = target.resolve()
            if parsed.path.endswith("/") or target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{rel}: link {href!r} points to a missing file")
                continue
            if parsed.fragment and target.suffix == ".html":
                if target not in ids_cache:
                    ids_cache[target] = set(re.findall(r'id="([^"]+)"', target.read_text(errors="ignore")))
                if unquote(parsed.fragment) not in ids_cache[target]:
                    problems.append(f"{rel}: link {href!r} points to a missing anchor")
    return problems


def test_dark_mode_keeps_figures_on_white(browser, server):
    base, site = server
    chapters = [s for s in runner.chapters() if s not in runner.SUMMARY_PAGES]
    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page.goto(urljoin(base, f"book/{chapters[0]}.html"))
    page.evaluate("() => { document.documentElement.dataset.theme = 'dark'; }")
    page.wait_for_timeout(300)
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    figures = page.evaluate(FIGURE_INFO)
    page.screenshot(path=str(runner.repo_root() / "_build" / "screenshots" / "dark_mode.png"))
    page.close()
    assert background not in ("rgb(255, 255, 255)",), "dark mode did not switch the page background"
    assert figures, "the chapter shows no figures"
    assert all(isinstance(f["corner"], list) and f["corner"][:3] == [255, 255, 255] and f["corner"][3] == 255
               for f in figures), "figures must have an opaque white background to stay legible in dark mode"
