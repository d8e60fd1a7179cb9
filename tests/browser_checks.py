"""What the browser tests use: headless Chromium, axe-core, the Nu HTML checker, screenshots.

Chromium and ChromeDriver are Debian's (``.ci/run`` installs them). axe-core and the Nu checker
(``vnu-jar``) come from npm, pinned by ``tests/browser/package-lock.json`` and installed by
``make install`` (``npm ci``); the Nu checker runs on Java. A test that needs one of them skips,
saying which, where it is missing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
MODULES = HERE / "browser" / "node_modules"
AXE = MODULES / "axe-core" / "axe.min.js"
VNU = MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java")
SHOTS = HERE / "output" / "screenshots"

#: The two widths every page is checked at: a laptop, and a phone (an iPhone 12 to 15 is 390 px wide).
WIDTHS = (1280, 390)

needs_chromium = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(DRIVER).exists()),
    reason="browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
needs_axe = pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `make install` (npm ci)")
needs_vnu = pytest.mark.skipif(not (VNU.exists() and JAVA), reason="the Nu HTML checker needs vnu-jar "
                               "(`make install`) and Java (apt-get install default-jre-headless)")


def chromium(user_data_dir: Path):
    """Headless Chromium, quiet: no background calls that the closed network refuses."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1600", "--hide-scrollbars",
                 f"--user-data-dir={user_data_dir}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(300)  # a busy machine can be very slow; a broken page never loads
    driver.set_script_timeout(300)
    return driver


def set_width(driver, width: int, height: int = 900) -> None:
    """The viewport as a device of this width shows it (a phone below 600 px: mobile, touch)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def wait(driver, condition, seconds: float = 120):
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(driver, seconds).until(condition)


def axe_violations(driver) -> list[dict]:
    """axe-core's violations on the page as it stands (every rule it has, best practices included)."""
    if not driver.execute_script("return typeof window.axe !== 'undefined'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    found = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        "  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        "     nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.html.slice(0, 200))}))))"
        "  .catch(e => done([{id: 'axe-failed', help: String(e), nodes: []}]));")
    return found


def overflow(driver) -> dict:
    """How far the page is wider than the viewport, and the widest elements that stick out."""
    return driver.execute_script("""
        const width = document.documentElement.clientWidth;
        const out = [];
        for (const e of document.body.querySelectorAll('*')) {
          const r = e.getBoundingClientRect();
          if (r.right > width + 1 && !e.closest('.table-scroll, .CodeMirror, .yasr_results, pre'))
            out.push(e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined ? '.' + e.className : '')
                     + ' ' + Math.round(r.right) + 'px');
        }
        return {scroll: document.documentElement.scrollWidth - width, sticking_out: out.slice(0, 8)};""")


def screenshot(driver, width: int, name: str) -> Path:
    """The whole page at this width, to tests/output/screenshots/name.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return Math.max(document.documentElement.scrollHeight, 400)")
    set_width(driver, width, min(height, 16_000))
    path = SHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    set_width(driver, width)
    return path


def own_language_texts(driver) -> list[str]:
    """Every text and accessible-name attribute the page shows in its own language: text under an
    element whose nearest lang is the page's (names kept in another language are marked so)."""
    return driver.execute_script("""
        const page = document.documentElement.lang.toLowerCase();
        const own = el => { const holder = el.closest('[lang]'); return holder && holder.lang.toLowerCase() === page; };
        const texts = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const el = n.parentElement;
          if (!el || el.closest('script, style, code, pre, .CodeMirror, tbody td, .yasr_results')) continue;
          const style = getComputedStyle(el);
          if (style.display === 'none' || style.visibility === 'hidden' || el.closest('[hidden]')) continue;
          if (own(el) && n.textContent.trim()) texts.push(n.textContent.trim());
        }
        for (const el of document.body.querySelectorAll('[title], [aria-label], [placeholder], [alt]')) {
          if (!own(el) || el.closest('.CodeMirror')) continue;
          for (const name of ['title', 'aria-label', 'placeholder', 'alt'])
            if (el.getAttribute(name)) texts.push(el.getAttribute(name).trim());
        }
        return texts;""")


def english_leftovers(texts: list[str], english: set[str]) -> list[str]:
    """The interface's English strings found among ``texts``: a text that is one, or that holds one
    of three words or more."""
    long = [e for e in english if len(e.split()) >= 3]
    found = set()
    for text in texts:
        if text in english:
            found.add(text)
        for phrase in long:
            if phrase in text:
                found.add(phrase)
    return sorted(found)


def nu_errors(files: list[Path]) -> list[str]:
    """The Nu HTML checker's errors on these files (one Java run for all of them)."""
    done = subprocess.run([JAVA, "-Xss8m", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
                          capture_output=True, text=True, timeout=600)
    report = json.loads(done.stderr or done.stdout or '{"messages": []}')
    return [f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m.get('message')}"
            for m in report["messages"] if m.get("type") == "error"]


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))
