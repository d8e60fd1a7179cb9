"""Every page template, in every language, at a laptop's and a phone's width, in headless Chromium.

For each page and language: axe-core finds no violation at either width; the page is no wider
than a 390 px phone (wide tables scroll in their own regions); no string of the interface is
left in English on a page in another language. The Nu HTML checker finds no error in any page
as served. Screenshots of every page in French and Japanese (and English at 1280 px) are kept
in tests/output/screenshots/.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from babel.messages.pofile import read_po

from browser_checks import (WIDTHS, axe_violations, chromium, english_leftovers, needs_axe, needs_chromium,
                            needs_vnu, nu_errors, overflow, own_language_texts, screenshot, set_width, wait)

LANGUAGES = ("en", "fr", "es", "de", "ja", "zh-hans")
QUERY = ("PREFIX country: <https://w3id.org/gpai-kg/id/country/>\n"
         "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
         "SELECT ?country ?name WHERE { ?country rdfs:label ?name FILTER(lang(?name) = 'en') "
         "FILTER(STRSTARTS(STR(?country), STR(country:))) } ORDER BY ?name LIMIT 12")

#: Every page template, by a page that uses it (name, path). The query page is checked with results.
PAGES = {
    "home": "/",
    "browse": "/browse/",
    "browse-members": "/browse/members",
    "browse-events": "/browse/events",
    "country": "/page/id/country/fr",
    "gpai": "/page/id/organisation/gpai",
    "person": "/page/id/person/cedric-o",
    "ontology": "/page/ontology",
    "term": "/page/ontology/Country",
    "charts": "/charts",
    "query": "/query?query=" + quote(QUERY),
    "dumps": "/dumps/",
    "dataset": "/.well-known/void?format=html",
    "releases": "/releases/",
    "release": "/releases/test",
    "not-found": "/page/id/country/xx",
    "search": "/search?q=serb",
}
TRANSLATIONS = Path(__file__).resolve().parents[1] / "server" / "gpai_kg" / "web" / "translations"
CATALOGUE_NAMES = {"fr": "fr", "es": "es", "de": "de", "ja": "ja", "zh-hans": "zh_Hans"}

pytestmark = [needs_chromium]


def english_strings(lang: str) -> set[str]:
    """The interface's English strings that this language's catalogue says otherwise (whole words,
    no placeholders): none of them may show on a page in that language."""
    with open(TRANSLATIONS / CATALOGUE_NAMES[lang] / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle)
    found = set()
    for message in catalogue:
        if not message.id or not isinstance(message.id, str) or "%(" in message.id or "{" in message.id:
            continue
        if message.string and message.string != message.id and sum(c.isalpha() for c in message.id) >= 3:
            found.add(message.id)
    return found


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium(tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()


def _open(browser, server, name: str, lang: str) -> None:
    from selenium.webdriver.common.by import By

    path = PAGES[name]
    browser.get(server.url + path + ("&" if "?" in path else "?") + "lang=" + lang)
    if name == "query":
        # Results showing: the query in the URL runs at once.
        wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr")) == 12)


@needs_axe
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_page_in_every_language_and_width(browser, server, name, lang):
    problems = []
    for width in WIDTHS:
        set_width(browser, width)
        _open(browser, server, name, lang)
        assert browser.execute_script("return document.documentElement.lang") == {"zh-hans": "zh-Hans"}.get(lang, lang)
        for v in axe_violations(browser):
            problems.append(f"{width}px axe {v['id']} ({v['impact']}): {v['help']}: {v['nodes'][:3]}")
        wide = overflow(browser)
        if wide["scroll"] > 0:
            problems.append(f"{width}px: {wide['scroll']} px wider than the screen: {wide['sticking_out']}")
        if lang != "en":
            left = english_leftovers(own_language_texts(browser), english_strings(lang))
            if left:
                problems.append(f"{width}px: English left on the {lang} page: {left}")
        if lang in ("fr", "ja") or (lang == "en" and width == 1280):
            screenshot(browser, width, f"{name}-{lang}-{width}")
    assert not problems, "\n".join(problems)


def test_long_pages_read_at_a_phones_width(browser, server):
    """GPAI's own page cites each source once and folds long lists: it was 18,834 px tall at 1280 px
    when each of its 45 memberships repeated the same sources."""
    set_width(browser, 1280)
    _open(browser, server, "gpai", "en")
    height = browser.execute_script("return document.documentElement.scrollHeight")
    notes = browser.execute_script("return [...document.querySelectorAll('ol.notes li')].map(li => li.textContent)")
    assert len(notes) == len(set(notes)) > 0                  # each source listed once
    assert height < 9000, height
    set_width(browser, 390)
    _open(browser, server, "gpai", "en")
    assert overflow(browser)["scroll"] <= 0


def test_query_errors_are_readable_and_marked_in_the_editor(browser, server):
    from selenium.webdriver.common.by import By

    set_width(browser, 1280)
    bad = "SELECT * WHERE {\n  ?s ?p ?o FILTER(\n}"
    browser.get(server.url + "/query?lang=fr&query=" + quote(bad))
    box = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".yasr .query-error"))[0]
    assert "Ligne 3, colonne" in box.text and "erreur de syntaxe" in box.text
    assert box.get_attribute("role") == "alert"
    assert "{" not in box.find_element(By.CSS_SELECTOR, ".where").text   # a sentence, not raw JSON
    marked = browser.execute_script(
        "const e = gpaiYasgui.getTab().getYasqe();"
        "return [...Array(e.lineCount()).keys()].filter(n => (e.lineInfo(n).bgClass || '').includes('gpai-error-line'))")
    assert marked == [2]                                       # the third line, where the parser stopped
    assert not axe_violations(browser)
    screenshot(browser, 1280, "query-error-fr-1280")


def test_results_use_the_querys_prefixes(browser, server):
    from selenium.webdriver.common.by import By

    set_width(browser, 1280)
    _open(browser, server, "query", "en")
    cells = [c.text for c in browser.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr td:nth-child(2)")]
    assert cells and all(c.startswith("country:") for c in cells), cells


def test_the_map_links_every_member_country(browser, server):
    from selenium.webdriver.common.by import By

    set_width(browser, 390)
    _open(browser, server, "home", "ja")
    links = browser.find_elements(By.CSS_SELECTOR, "svg#map-years a")
    assert len(links) == 44                                   # 44 countries; the EU is named beside the map
    assert browser.find_element(By.CSS_SELECTOR, "svg#map-years").get_attribute("role") == "group"
    france = [a for a in links if a.get_dom_attribute("href").endswith("/id/country/fr")]
    assert france and "フランス" in france[0].get_attribute("aria-label")
    width = browser.find_element(By.CSS_SELECTOR, "svg#map-years").size["width"]
    assert 300 < width <= 390                                  # it scales to the phone's width


@needs_vnu
def test_every_page_is_valid_html(server, tmp_path):
    files = []
    for name, path in PAGES.items():
        for lang in LANGUAGES:
            response = requests.get(server.url + path + ("&" if "?" in path else "?") + "lang=" + lang,
                                    headers={"Accept": "text/html"}, timeout=120)
            assert response.headers["Content-Type"].startswith("text/html"), (name, lang)
            files.append(tmp_path / f"{name}-{lang}.html")
            files[-1].write_bytes(response.content)
    errors = nu_errors(files)
    assert not errors, "\n".join(errors[:40])
