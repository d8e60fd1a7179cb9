"""In a real browser: headless Chromium (Debian's chromium + chromium-driver) through Selenium.

Screenshots go to tests/output/screenshots/ (git-ignored). The tests skip, saying why, only
where Chromium or its driver is not installed; `.ci/run` installs both.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SHOTS = Path(__file__).parent / "output" / "screenshots"

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(DRIVER).exists()),
    reason="browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # Headless, as root in CI, and quiet: no background calls that the closed network refuses.
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1600",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(300)  # a busy machine can be very slow; a broken page never loads
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def wait(driver, condition, seconds: float = 120):
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(driver, seconds).until(condition)


def test_home_page_shows_the_timeline_and_the_members(browser, server):
    from selenium.webdriver.common.by import By

    browser.get(server.url + "/")
    chart = browser.find_element(By.CSS_SELECTOR, "svg.chart")
    assert chart.is_displayed() and chart.size["height"] > 100
    rows = browser.find_elements(By.CSS_SELECTOR, "table.members tbody tr")
    assert len(rows) == 45
    browser.save_screenshot(str(SHOTS / "home.png"))


def test_an_example_query_runs_in_the_ui(browser, server):
    from selenium.webdriver.common.by import By

    browser.get(server.url + "/query")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".yasqe .CodeMirror"))
    example = browser.find_element(By.ID, "example-founding-members")
    example.find_element(By.CSS_SELECTOR, "a.run").click()
    # The run link loads the query into YASGUI and runs it against /sparql.
    rows = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr"))
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr")) == 15)
    text = browser.find_element(By.CSS_SELECTOR, ".yasr").text
    # IRIs show through the query's prefixes, or the dataset's where the query declares none.
    assert "Serbia" not in text and "country:fr" in text and "https://w3id.org/gpai-kg/id/country/fr" not in text
    assert rows
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    browser.save_screenshot(str(SHOTS / "query.png"))


def test_a_country_page_opens_from_its_iri(browser, server):
    from selenium.webdriver.common.by import By

    browser.get(server.url + "/id/country/rs")               # 303 to the page
    assert browser.current_url == server.url + "/page/id/country/rs"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Serbia"
    browser.find_element(By.CSS_SELECTOR, 'nav.languages a[lang="fr"]').click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Serbie"
    memberships = browser.find_element(By.ID, "memberships-h").find_element(By.XPATH, "..")
    assert "2022-11-22" in memberships.text
    browser.save_screenshot(str(SHOTS / "country-rs.png"))


def test_the_header_search_box_is_a_keyboard_combobox(browser, server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(server.url + "/browse/members?lang=de")
    box = browser.find_element(By.ID, "site-search-q")
    assert box.get_attribute("role") == "combobox" and box.get_attribute("aria-expanded") == "false"
    listbox = browser.find_element(By.ID, box.get_attribute("aria-controls"))
    assert listbox.get_attribute("role") == "listbox" and not listbox.is_displayed()
    box.send_keys("serb")
    wait(browser, lambda d: box.get_attribute("aria-expanded") == "true")
    options = listbox.find_elements(By.CSS_SELECTOR, "[role=option]")
    assert options[0].text.startswith("Serbien")          # the label in the page's language
    box.send_keys(Keys.ARROW_DOWN)
    assert box.get_attribute("aria-activedescendant") == options[0].get_attribute("id")
    assert options[0].get_attribute("aria-selected") == "true"
    browser.save_screenshot(str(SHOTS / "search-box.png"))
    box.send_keys(Keys.ESCAPE)
    assert box.get_attribute("aria-expanded") == "false" and not listbox.is_displayed()
    box.send_keys(Keys.ARROW_DOWN, Keys.ENTER)            # the list opens again; Enter opens the option
    wait(browser, lambda d: d.current_url.endswith("/page/id/country/rs?lang=de"))  # the language chosen
    assert browser.find_element(By.TAG_NAME, "h1").text == "Serbien"


def test_the_search_box_without_a_suggestion_opens_the_results_page(browser, server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(server.url + "/?lang=en")
    browser.find_element(By.ID, "site-search-q").send_keys("全球", Keys.ENTER)
    wait(browser, lambda d: "/search?" in d.current_url)
    first = browser.find_element(By.CSS_SELECTOR, "ol.search-results li a")
    assert first.text == "Global Partnership on Artificial Intelligence"


def test_the_api_page_renders_the_description_offline(browser, server):
    from selenium.webdriver.common.by import By

    browser.get(server.url + "/api")
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".swagger-ui .opblock")) > 20)
    text = browser.find_element(By.ID, "swagger").text
    assert "/api/search" in text and "/reconcile" in text
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    browser.save_screenshot(str(SHOTS / "api.png"))
