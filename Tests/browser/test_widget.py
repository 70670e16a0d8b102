"""The survey widget (issue 15 points 3 and 6) in headless Chromium, against the real `rida serve`: an entity's page
served from another origin (a small HTTP server on another port) loads Rida's embed.js, which draws the four questions
in the page's language; answered in Arabic at a phone's size, the response is stored with the widget's centre and the
page's channel, service and stage. A page from an origin the widget does not list gets no questions and cannot
submit, even by calling the API itself. The iframe option: framed by a listed origin it is answered, framed by an
unlisted one the browser refuses to show it. A visitor who rates low may leave a number (a wrong one is said so): a
follow-up case opens. axe-core passes on the host page with the widget drawn."""
import http.server
import socketserver
import sqlite3
import threading

import pytest
from selenium.common.exceptions import NoSuchElementException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import free_port
from test_accessibility import assert_accessible
from test_invitations import as_phone, fits_the_width

pytestmark = pytest.mark.slow


class HostSite:
    """An entity's website on its own origin (`http://HOST:PORT`, HOST 127.0.0.1 or localhost): serves `pages`, a map
    from path to HTML, and nothing else."""

    def __init__(self, host, pages):
        self.port = free_port()
        self.origin = f"http://{host}:{self.port}"
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                page = site.pages.get(self.path.split("?")[0])
                body = (page or "not found").encode()
                self.send_response(200 if page else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.pages = pages
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def host_page(rida, key, lang, body):
    title = "وزارة الداخلية" if lang == "ar" else "Ministry of Interior"
    return (f'<!doctype html><html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>'
            f'<body><main><h1>{title}</h1>{body}</main></body></html>')


def script_tag(rida, key):
    return (f'<script src="{rida}/embed.js" data-key="{key}" data-channel="website" '
            f'data-service="تجديد جواز السفر" data-stage="after"></script>')


@pytest.fixture
def sites(server):
    """A widget for C01's website listing the first site's origin only; both sites serve the same pages."""
    listed = HostSite("127.0.0.1", {})
    unlisted = HostSite("localhost", {})
    out = server.rida("widgets", "create", "--centre", "C01", "--channel", "website", "--channel", "mobile_app",
                      "--origin", listed.origin, "--label", "Ministry website")
    key = next(word for word in out.split() if word.startswith("pk_"))
    pages = {
        "/ar": host_page(server.base, key, "ar", script_tag(server.base, key)),
        "/en": host_page(server.base, key, "en", script_tag(server.base, key)),
        "/frame": host_page(server.base, key, "ar",
                            f'<iframe id="survey" title="استبيان" style="width:100%;height:1400px;border:0" '
                            f'src="{server.base}/w/{key}?channel=mobile_app&amp;lang=ar"></iframe>'),
    }
    listed.pages = pages
    unlisted.pages = pages
    try:
        yield listed, unlisted, key
    finally:
        listed.close()
        unlisted.close()


def stored(server):
    with sqlite3.connect(server.db) as db:
        return db.execute("SELECT centre, channel, stage, service, comment, q1, q2, q3, q4, source FROM response ORDER BY id").fetchall()


def widget_root(browser):
    """The widget's shadow root, once its questions are drawn."""
    WebDriverWait(browser, 10).until(lambda d: d.execute_script(
        "const h = document.querySelector('.rida-widget'); return !!(h && h.shadowRoot && h.shadowRoot.querySelector('form'))"))
    return browser.find_element(By.CSS_SELECTOR, ".rida-widget").shadow_root


def choose(root, question, value):
    root.find_element(By.CSS_SELECTOR, f"input[name='{question}'][value='{value}']").click()


def test_a_listed_site_shows_the_widget_in_arabic_and_its_answer_is_stored(browser, server, sites):
    listed, _, _ = sites
    as_phone(browser, 390, 844)
    browser.get(listed.origin + "/ar")
    root = widget_root(browser)
    section = root.find_element(By.CSS_SELECTOR, "section")
    assert section.get_attribute("dir") == "rtl" and section.get_attribute("lang") == "ar"
    legends = [legend.text for legend in root.find_elements(By.CSS_SELECTOR, "legend")]
    assert len(legends) == 6 and "الموظف" in legends[0] and legends[5] == "المتابعة (اختياري)"
    assert fits_the_width(browser)
    assert_accessible(browser, "a host page with the widget, Arabic, at a phone's size")

    choose(root, "q1", 5)
    choose(root, "q2", 4)
    choose(root, "q4", 3)
    root.find_element(By.CSS_SELECTOR, "textarea").send_keys("الموقع واضح، شكراً")
    root.find_element(By.CSS_SELECTOR, "button").click()
    WebDriverWait(browser, 10).until(lambda d: "وصل تقييمك" in root.find_element(By.CSS_SELECTOR, "section").text)
    assert stored(server) == [("C01", "website", "after", "تجديد جواز السفر", "الموقع واضح، شكراً", 5, 4, None, 3,
                               stored(server)[0][9])]
    assert stored(server)[0][9].startswith("widget:")


def test_a_listed_site_in_english_gets_english_questions_and_unrated_answers_are_not_sent(browser, server, sites):
    listed, _, _ = sites
    browser.get(listed.origin + "/en")
    root = widget_root(browser)
    assert root.find_element(By.CSS_SELECTOR, "section").get_attribute("dir") == "ltr"
    assert "employee" in root.find_element(By.CSS_SELECTOR, "legend").text
    root.find_element(By.CSS_SELECTOR, "button").click()
    WebDriverWait(browser, 5).until(lambda d: "Rate at least one question" in root.find_element(By.CSS_SELECTOR, ".status").text)
    assert stored(server) == []
    assert_accessible(browser, "a host page with the widget, English, nothing rated")


def test_an_unlisted_site_gets_no_questions_and_cannot_submit(browser, server, sites):
    _, unlisted, key = sites
    browser.get(unlisted.origin + "/ar")
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
    # The script ran (its host element is there) but the form was refused to this origin: no questions.
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return !!document.querySelector('.rida-widget')"))
    browser.implicitly_wait(0)
    assert browser.execute_script(
        "const h = document.querySelector('.rida-widget'); return h.shadowRoot.querySelector('form') === null")
    # The page's own script calling the API with the widget's key: the browser refuses it (CORS), nothing stored.
    outcome = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch(arguments[0], {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({q1: 1})})
          .then(r => done('answered ' + r.status), e => done('refused: ' + e.name));
    """, f"{server.base}/w/{key}/responses")
    assert outcome == "refused: TypeError"
    # A form posted without script (no preflight) is refused by the service itself.
    outcome = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch(arguments[0], {method: 'POST', mode: 'no-cors', headers: {'Content-Type': 'text/plain'}, body: '{"q1":1}'})
          .then(r => done('sent'), e => done('refused: ' + e.name));
    """, f"{server.base}/w/{key}/responses")
    assert outcome in ("sent", "refused: TypeError")
    assert stored(server) == []


def test_the_iframe_is_answered_on_a_listed_site_and_refused_on_another(browser, server, sites):
    listed, unlisted, _ = sites
    browser.get(listed.origin + "/frame")
    browser.switch_to.frame(browser.find_element(By.ID, "survey"))
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "form"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
    browser.find_element(By.CSS_SELECTOR, "label[for='q1-2']").click()
    browser.find_element(By.ID, "comment").send_keys("الانتظار طويل")
    browser.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
    WebDriverWait(browser, 10).until(lambda d: "وصل تقييمك" in d.find_element(By.TAG_NAME, "body").text)
    browser.switch_to.default_content()
    rows = stored(server)
    assert [(r[0], r[1], r[4], r[5]) for r in rows] == [("C01", "mobile_app", "الانتظار طويل", 2)]

    browser.get(unlisted.origin + "/frame")
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
    browser.switch_to.frame(browser.find_element(By.ID, "survey"))
    browser.implicitly_wait(0)
    try:
        shown = browser.find_elements(By.CSS_SELECTOR, "form")
    except NoSuchElementException:
        shown = []
    assert shown == [], "a site the widget does not list framed its questions"
    browser.switch_to.default_content()
    assert len(stored(server)) == 1


def test_a_visitor_who_rates_low_may_leave_a_number_to_be_called(browser, server, sites):
    listed, _, _ = sites
    browser.get(listed.origin + "/ar")
    root = widget_root(browser)
    choose(root, "q1", 1)
    # A number too short to be one: said, nothing stored.
    root.find_element(By.CSS_SELECTOR, "input[name='contact_consent']").click()
    phone = root.find_element(By.CSS_SELECTOR, "input[name='contact_phone']")
    phone.send_keys("123")
    root.find_element(By.CSS_SELECTOR, "button").click()
    WebDriverWait(browser, 10).until(lambda d: "رقم هاتف صحيحاً" in root.find_element(By.CSS_SELECTOR, ".status").text)
    assert stored(server) == []
    assert_accessible(browser, "a host page with the widget, its contact box refused")
    phone.clear()
    phone.send_keys("+973 3600 0000")
    root.find_element(By.CSS_SELECTOR, "button").click()
    WebDriverWait(browser, 10).until(lambda d: "سنتواصل معك" in root.find_element(By.CSS_SELECTOR, "section").text)
    assert len(stored(server)) == 1
    with sqlite3.connect(server.db) as db:
        cases = db.execute("SELECT centre, channel, phone, status FROM followUpCase").fetchall()
    assert cases == [("C01", "website", "+97336000000", "open")]
