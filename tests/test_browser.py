"""The website as a reader meets it: every page opened in a real (headless) Chromium.

The site is built with warnings as errors from the chapters executed in this test session,
served on a loopback port, and every page is checked for broken images, unrendered TeX,
console errors, error and stderr outputs, unnumbered or uncaptioned figures, transparent
figures (which disappear in dark mode), tables wider than the text column and horizontal
overflow at 1400 px, unreadably small figure labels, display equations that overflow a 400 px
phone screen, the build stamp in the footer, launch and download targets, and internal links
(the report's links to each check included) that do not resolve. A screenshot of every page is
saved under ``_build/screenshots``; the landing page, the report and one chapter at 1400 px and
400 px under ``_build/screens``.
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

from landscape.book import runner, style

pytestmark = pytest.mark.site

WIDE, NARROW = 1400, 400  # a desktop window and a phone, in CSS pixels
MIN_LABEL_PX = 9  # smallest tick-label height, in CSS pixels, that a reader can still read
STAMP_FIELDS = ("commit", "built", "profile", "seed", "device", "torch", "numpy")

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


STDERR_BLOCKS = """() => Array.from(document.querySelectorAll(
    '.output.stderr, .cell_output .stderr, div.stderr, [data-mime-type="application/vnd.jupyter.stderr"]'))
  .map(e => e.innerText.slice(0, 120))"""

WIDE_TABLES = """() => {
  const column = document.querySelector('article.bd-article') || document.querySelector('main');
  const width = column.getBoundingClientRect().width;
  return Array.from(column.querySelectorAll('table')).map((t, n) => ({
      n: n, width: Math.round(t.getBoundingClientRect().width), column: Math.round(width),
      head: (t.querySelector('tr') || t).innerText.slice(0, 60)}))
    .filter(t => t.width > t.column + 1);
}"""

FIGURE_SIZES = """() => Array.from(document.querySelectorAll('.cell_output img')).filter(i => i.naturalWidth > 0)
  .map(i => ({src: i.getAttribute('src'), shown: i.getBoundingClientRect().width, natural: i.naturalWidth}))"""

FOOTER_STAMP = """() => { const s = document.querySelector('footer .ls-build-stamp, .ls-build-stamp');
  return s ? s.innerText : null; }"""

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
        page = browser.new_page(viewport={"width": WIDE, "height": 900})
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
        # an unresolved {numref} or {ref} shows its label, e.g. "( fig-trained-index )"
        labels = re.findall(r"\b(?:fig|tab|eq)-[a-z0-9_]+(?:-[a-z0-9_]+)*", prose)
        if labels:
            problems.append(f"{rel}: unresolved references shown as labels: {sorted(set(labels))}")
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
        stderr = page.evaluate(STDERR_BLOCKS)
        if stderr:
            problems.append(f"{rel}: {len(stderr)} stderr output block(s), e.g. {stderr[0]!r}")
        for table in page.evaluate(WIDE_TABLES):
            problems.append(f"{rel}: table {table['n']} is {table['width']}px wide in a {table['column']}px column "
                            f"at {WIDE}px: {table['head']!r}")
        for fig in page.evaluate(FIGURE_SIZES):
            px = style.tick_label_pixels(fig["shown"], fig["natural"])
            if px < MIN_LABEL_PX:
                problems.append(f"{rel}: figure {fig['src']} is shown at {fig['shown']} of {fig['natural']}px: "
                                f"tick labels {px:.1f}px < {MIN_LABEL_PX}px at {WIDE}px")
        stamp = page.evaluate(FOOTER_STAMP)
        missing = [k for k in STAMP_FIELDS if not stamp or f"{k} " not in stamp]
        if missing:
            problems.append(f"{rel}: the footer's build stamp lacks {missing} (stamp: {stamp!r})")
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
            problems.append(f"{rel}: page overflows horizontally by {overflow}px at {WIDE}px")
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


def _open(browser, url: str, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(url)
    page.wait_for_load_state("networkidle")
    if page.locator(".math, mjx-container").count():
        page.wait_for_selector("mjx-container", state="attached", timeout=30000)
        page.evaluate("() => (window.MathJax && MathJax.startup && MathJax.startup.promise) ? MathJax.startup.promise.then(() => true) : true")
    return page


SCREEN_PAGES = {"landing": "index.html", "report": "book/report.html", "chapter": "book/free_probability.html"}


def test_screenshots_at_desktop_and_phone_width(browser, server):
    """The landing page, the report and one chapter at 1400 px and 400 px, for a person to look at."""
    base, _ = server
    screens = runner.repo_root() / "_build" / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rel in SCREEN_PAGES.items():
        for width in (WIDE, NARROW):
            page = _open(browser, urljoin(base, rel), width)
            path = screens / f"{name}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            page.close()
            written.append(path)
    assert all(p.exists() and p.stat().st_size > 10_000 for p in written), written


DISPLAY_MATH = """() => {
  const view = document.documentElement.clientWidth;
  return Array.from(document.querySelectorAll('mjx-container[display="true"]')).map(m => {
    // the nearest box that scrolls horizontally on its own, if any
    let box = m, scrolls = false;
    while (box && box !== document.body) {
      const o = getComputedStyle(box).overflowX;
      if ((o === 'auto' || o === 'scroll') && box.clientWidth <= view) { scrolls = true; break; }
      box = box.parentElement;
    }
    const r = m.getBoundingClientRect();
    return {tex: (m.querySelector('mjx-assistive-mml') || m).textContent.slice(0, 60),
            right: Math.round(r.left + Math.min(r.width, m.scrollWidth)), width: Math.round(m.scrollWidth),
            visible: Math.round(r.width), scrolls: scrolls};
  });
}"""


def test_phone_width_equations_figures_and_page(browser, server):
    """At 400 px no page is wider than the screen, every display equation either fits or
    scrolls inside its own box (never the page), and figure tick labels are still >= 9 px."""
    base, site = server
    problems = []
    equations = 0
    for rel in _pages(site):
        page = _open(browser, urljoin(base, rel), NARROW)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 1:
            problems.append(f"{rel}: page overflows horizontally by {overflow}px at {NARROW}px")
        for fig in page.evaluate(FIGURE_SIZES):
            px = style.tick_label_pixels(fig["shown"], fig["natural"])
            if px < MIN_LABEL_PX:
                problems.append(f"{rel}: figure {fig['src']} ({fig['natural']}px wide) is shown at {fig['shown']:.0f}px: "
                                f"tick labels {px:.1f}px < {MIN_LABEL_PX}px at {NARROW}px")
        for eq in page.evaluate(DISPLAY_MATH):
            equations += 1
            if eq["visible"] > NARROW or (eq["width"] > eq["visible"] + 1 and not eq["scrolls"]):
                problems.append(f"{rel}: display equation {eq['tex']!r} ({eq['width']}px) overflows at {NARROW}px")
        page.close()
    assert equations > 20, f"only {equations} display equations found; MathJax did not render?"
    assert not problems, "\n".join(problems)


def test_report_links_to_every_check(browser, server):
    """Each claim on the report links to its row in the chapter's closing table, and that row exists."""
    base, site = server
    page = _open(browser, urljoin(base, "book/report.html"), WIDE)
    hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a[href*=\"#claim-\"]')).map(a => a.getAttribute('href'))")
    toc = page.evaluate("() => Array.from(document.querySelectorAll('.bd-toc a, #pst-page-toc-nav a, .page-toc a')).map(a => a.innerText.trim())")
    page.close()
    rows = sum(len(re.findall(r'<tr id="claim-', (site / "book" / f"{s}.html").read_text()))
               for s in runner.chapters() if s not in runner.SUMMARY_PAGES)
    assert rows > 50, f"chapters' closing tables carry only {rows} claim anchors"
    assert len(set(hrefs)) >= rows, f"the report links to {len(set(hrefs))} checks of {rows}"
    missing = []
    for href in set(hrefs):
        path, _, anchor = href.partition("#")
        text = (site / "book" / path).read_text()
        if f'id="{anchor}"' not in text:
            missing.append(href)
    assert not missing, f"report links to missing anchors: {missing[:10]}"
    for heading in ("Summary", "Errata and differences", "Choromanska et al. 2015", "Nguyen & Hein 2017"):
        assert heading in toc, f"{heading!r} is not in the report's contents panel: {toc}"


def test_launch_and_download_targets_exist(browser, server):
    """Launch buttons only with a repository address; every download item is a file of the site."""
    import yaml

    base, site = server
    config = yaml.safe_load((runner.repo_root() / "_config.yml").read_text())
    has_repository = bool((config.get("repository") or {}).get("url"))
    page = _open(browser, urljoin(base, "book/free_probability.html"), WIDE)
    launch = page.evaluate("() => Array.from(document.querySelectorAll('.dropdown-launch-buttons a, a[href*=\"mybinder\"], a[href*=\"colab\"], .thebe-launch-button')).map(a => a.getAttribute('href') || a.className)")
    downloads = page.evaluate("() => Array.from(document.querySelectorAll('.dropdown-download-buttons .dropdown-menu a, .dropdown-download-buttons .dropdown-menu button')).map(a => ({href: a.getAttribute('href'), text: a.innerText.trim(), onclick: a.getAttribute('onclick')}))")
    page.close()
    if not has_repository:
        assert not launch, f"launch buttons shown without a repository address: {launch}"
    assert downloads, "the page has no download menu"
    for item in downloads:
        assert item["href"] and not (item["onclick"] or "").startswith("window.print"), f"download item {item} is not a file"
        target = (site / "book" / unquote(item["href"])).resolve()
        assert target.exists(), f"download item {item['text']} points to a missing file {target}"
