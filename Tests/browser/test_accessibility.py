"""Every page Rida serves or writes passes axe-core (carried by axe-selenium-python) with no violation of any impact:
the device set-up page, the kiosk (not set up; Arabic; nothing rated; a rating chosen, in Arabic and English; thanks;
the contact box ticked, with its message and with a phone), the live display with figures, the invitation page at a
phone's size (Arabic and English; answers sent back; thanks; answered already; an unknown link), the HTML quarterly report
(full and public, both languages) and the assessment forms (appendices 5 and 6, both languages).
No rule is disabled: a violation is fixed in the page."""
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from axe_selenium_python import Axe
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import rida_binary
from test_pages import set_up_kiosk, tap

pytestmark = pytest.mark.slow


def assert_accessible(browser, page):
    """Runs axe-core on the page as it stands and fails listing every violation: rule, impact, where."""
    axe = Axe(browser)
    axe.inject()
    results = axe.run()
    lines = []
    for violation in results["violations"]:
        targets = ", ".join(" ".join(map(str, node["target"])) for node in violation["nodes"][:3])
        more = len(violation["nodes"]) - 3
        lines.append(f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} nodes): {targets}"
                     + (f" and {more} more" if more > 0 else "") + f" — {violation['help']}")
    assert not lines, f"{page}: axe-core found {len(lines)} violation(s):\n  " + "\n  ".join(lines)
    # axe ran its rules on this page: a run that checked nothing would pass silently.
    assert results["passes"], f"{page}: axe-core checked nothing"


def switch_language(browser, lang):
    browser.find_element(By.ID, "language").click()
    WebDriverWait(browser, 5).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang)


def test_the_set_up_page(browser, server):
    browser.get(f"{server.base}/kiosk/setup")
    assert_accessible(browser, "set-up, empty")
    browser.get("about:blank")  # a new load: the same address with only a new fragment would not run the page again
    browser.get(f"{server.base}/kiosk/setup#centre=C01&counter=K3&key={server.kiosk_key}")
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "setup-result").get_attribute("data-state") == "saved")
    assert_accessible(browser, "set-up, saved")


def test_the_kiosk_not_yet_set_up(browser, server):
    browser.get(f"{server.base}/kiosk")
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "not-set-up").is_displayed())
    assert_accessible(browser, "kiosk, not set up")


def test_the_kiosk_in_both_languages_before_and_after_a_rating(browser, server):
    set_up_kiosk(browser, server)
    assert_accessible(browser, "kiosk, Arabic")
    tap(browser, "#submit")  # nothing rated: the page says so
    WebDriverWait(browser, 5).until(lambda d: d.find_element(By.ID, "form-error").is_displayed())
    assert_accessible(browser, "kiosk, Arabic, nothing rated")
    tap(browser, "label[for='q1-4']")
    assert browser.find_element(By.ID, "q1-4").is_selected()
    assert_accessible(browser, "kiosk, Arabic, a rating chosen")
    switch_language(browser, "en")
    assert_accessible(browser, "kiosk, English, a rating chosen")
    tap(browser, "#submit")
    WebDriverWait(browser, 5).until(lambda d: d.find_element(By.ID, "thanks").is_displayed())
    assert_accessible(browser, "kiosk, English, thanks")


def test_the_kiosk_with_the_contact_box_ticked(browser, server):
    set_up_kiosk(browser, server)
    tap(browser, "label[for='contact-consent']")
    WebDriverWait(browser, 5).until(lambda d: d.find_element(By.ID, "contact-phone").is_displayed())
    assert_accessible(browser, "kiosk, Arabic, contact box ticked")
    tap(browser, "label[for='q1-2']")
    tap(browser, "#submit")  # ticked, with neither a phone nor an e-mail: the page says so
    WebDriverWait(browser, 5).until(lambda d: d.find_element(By.ID, "contact-error").is_displayed())
    assert_accessible(browser, "kiosk, Arabic, contact box ticked, no phone or e-mail")
    switch_language(browser, "en")
    browser.find_element(By.ID, "contact-phone").send_keys("+973 3333 4444")
    assert_accessible(browser, "kiosk, English, contact box ticked, a phone given")


def test_the_live_display_with_figures_in_both_languages(browser, server):
    status, body = server.post("/v1/responses", server.kiosk_key, {
        "id": "axe-live-1", "centre": "C01", "channel": "kiosk",
        "submitted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "q1": 5, "q2": 4, "q3": 2, "q4": 5})
    assert status == 201, body
    browser.get(f"{server.base}/live/C01#key={server.display_key}")
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-responses-today") == "1")
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "connection").get_attribute("data-state") == "online")
    assert_accessible(browser, "live display, Arabic")
    switch_language(browser, "en")
    assert_accessible(browser, "live display, English")


def test_the_invitation_page_at_a_phones_size(browser, server):
    path, _ = server.invite(service="تجديد جواز السفر", counter="7")
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True})
    browser.get(server.base + path)
    assert_accessible(browser, "invitation, Arabic")
    browser.get(server.base + path + "?lang=en")
    assert_accessible(browser, "invitation, English")
    browser.find_element(By.ID, "comment").send_keys("Nothing rated")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".problems"))
    assert_accessible(browser, "invitation, English, nothing rated")
    browser.get(server.base + path)
    tap(browser, "label[for='q1-4']")
    tap(browser, "button[type=submit]")
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".message"))
    assert_accessible(browser, "invitation, Arabic, thanks")
    browser.get(server.base + path)
    assert "لقد أجبت" in browser.find_element(By.CSS_SELECTOR, ".message").text
    assert_accessible(browser, "invitation, Arabic, answered already")
    browser.get(server.base + path + "?lang=en")
    assert_accessible(browser, "invitation, English, answered already")
    browser.get(server.base + "/s/" + "A" * 22)
    assert_accessible(browser, "invitation, Arabic, unknown link")


@pytest.fixture(scope="module")
def written_pages():
    """The pages `rida` writes, from the demo database: the HTML report of the demo's latest quarter (full and
    public, Arabic and English) and the assessment forms of appendix 5 (C01) and 6 (E01), each with a verdict."""
    with tempfile.TemporaryDirectory(prefix="rida-axe-") as folder:
        folder = Path(folder)
        db = str(folder / "demo.sqlite")

        def rida(*args):
            subprocess.run([rida_binary(), *args, "--db", db], capture_output=True, text=True, check=True)

        rida("demo")
        pages = {}
        for lang in ("ar", "en"):
            for public in (False, True):
                name = f"report{'-public' if public else ''}.{lang}.html"
                rida("report", "show", "--format", "html", "--lang", lang, *(["--public"] if public else []),
                     "--out", str(folder / name))
                pages[name] = folder / name
        rida("assess", "open", "--framework", "1", "--centre", "C01", "--cycle", "2026", "--by", "Evaluator")
        rida("assess", "open", "--framework", "2", "--entity", "E01", "--cycle", "2026", "--by", "Evaluator")
        rida("assess", "record", "C01-2026", "1.1.1", "--verdict", "met", "--mechanism", "field-visit",
             "--note", "زيارة ميدانية", "--by", "Evaluator")
        rida("assess", "record", "E01-2026", "1.1.1", "--verdict", "notMet", "--note", "No remote channel yet",
             "--by", "Evaluator")
        for assessment in ("C01-2026", "E01-2026"):
            for lang in ("ar", "en"):
                name = f"form-{assessment}.{lang}.html"
                rida("assess", "show", assessment, "--format", "html", "--lang", lang, "--out", str(folder / name))
                pages[name] = folder / name
        # The A6 QR signs of C01's counters (issue 15).
        rida("signs", "--centre", "C01", "--counter", "1-3", "--base-url", "https://rida.example.bh", "--out", str(folder / "signs.html"))
        pages["signs.html"] = folder / "signs.html"
        yield pages


@pytest.mark.parametrize("name", [
    f"report{public}.{lang}.html" for public in ("", "-public") for lang in ("ar", "en")
] + [
    f"form-{assessment}.{lang}.html" for assessment in ("C01-2026", "E01-2026") for lang in ("ar", "en")
] + ["signs.html"])
def test_a_written_page(browser, written_pages, name):
    page = written_pages[name]
    assert page.stat().st_size > 1000, f"{name} was written"
    browser.get(page.as_uri())
    assert_accessible(browser, name)
