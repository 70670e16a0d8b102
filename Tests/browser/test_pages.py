"""The kiosk page and the live display in headless Chromium against the real `rida serve`."""
import sqlite3
import time
from contextlib import closing

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.slow


def set_up_kiosk(browser, server):
    browser.get(f"{server.base}/kiosk/setup#centre=C01&counter=K3&key={server.kiosk_key}")
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "setup-result").get_attribute("data-state") == "saved")
    assert "key=" not in browser.current_url, "the key must leave the address bar"
    browser.get(f"{server.base}/kiosk")
    WebDriverWait(browser, 10).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "fieldset.question")) == 4)


def tap(browser, css):
    """Touches an element as a customer would, scrolled to the middle of the screen: the driver would otherwise stop
    scrolling once it shows at the bottom edge, under the fixed status bar."""
    element = browser.find_element(By.CSS_SELECTOR, css)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def rate(browser, ratings, comment=None):
    for question, value in ratings.items():
        tap(browser, f"label[for='{question}-{value}']")
    if comment:
        browser.find_element(By.ID, "field-comment").send_keys(comment)
    tap(browser, "#submit")
    WebDriverWait(browser, 5).until(lambda d: d.find_element(By.ID, "thanks").is_displayed())


def queued(browser):
    return browser.execute_script("return JSON.parse(localStorage.getItem('rida.queue') || '[]').length")


def kiosk_today(server):
    today = server.get("/v1/live/C01", server.reader_key)["today"]
    kiosk = [c for c in today["channels"] if c["channel"] == "kiosk"]
    return kiosk[0] if kiosk else None


def test_kiosk_page_is_arabic_right_to_left_with_five_labelled_choices(browser, server):
    set_up_kiosk(browser, server)
    html = browser.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ar"
    assert "كفاءة الموظف" in browser.find_element(By.ID, "legend-q1").text
    for question in ("q1", "q2", "q3", "q4"):
        radios = browser.find_elements(By.CSS_SELECTOR, f"input[type=radio][name={question}]")
        assert [r.get_attribute("value") for r in radios] == ["1", "2", "3", "4", "5"]
        for radio in radios:
            label = browser.find_element(By.CSS_SELECTOR, f"label[for='{radio.get_attribute('id')}']")
            assert label.text.strip(), "every choice is labelled"
    one = browser.find_element(By.CSS_SELECTOR, "label[for='q1-1']").rect
    five = browser.find_element(By.CSS_SELECTOR, "label[for='q1-5']").rect
    assert one["x"] > five["x"], "in Arabic, 1 stands at the right and 5 at the left (reading direction)"
    assert one["height"] >= 80, "choices are large"
    browser.find_element(By.ID, "language").click()
    html = browser.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("dir") == "ltr" and html.get_attribute("lang") == "en"
    assert "competence" in browser.find_element(By.ID, "legend-q1").text
    one = browser.find_element(By.CSS_SELECTOR, "label[for='q1-1']").rect
    five = browser.find_element(By.CSS_SELECTOR, "label[for='q1-5']").rect
    assert one["x"] < five["x"]


def test_a_customer_rates_and_the_response_is_stored(browser, server):
    set_up_kiosk(browser, server)
    rate(browser, {"q1": 5, "q2": 4, "q3": 3, "q4": 5}, comment="خدمة ممتازة")
    WebDriverWait(browser, 10).until(lambda d: queued(d) == 0)
    figures = kiosk_today(server)
    assert figures["responses"] == 1 and figures["ratings"] == 4
    assert figures["mean"] == pytest.approx((5 + 4 + 3 + 5) / 4)
    # The thank-you screen resets for the next customer by itself.
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "survey").is_displayed())
    assert not browser.find_element(By.ID, "q1-5").is_selected()


def test_the_kiosk_is_keyboard_operable(browser, server):
    set_up_kiosk(browser, server)
    first = browser.find_element(By.ID, "q1-1")
    browser.execute_script("arguments[0].focus()", first)
    first.send_keys(Keys.SPACE)
    assert first.is_selected()
    # Arrow keys move within the group (a native radio group).
    first.send_keys(Keys.ARROW_LEFT if browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl" else Keys.ARROW_RIGHT)
    assert browser.find_element(By.ID, "q1-2").is_selected()
    browser.find_element(By.ID, "submit").send_keys(Keys.ENTER)
    WebDriverWait(browser, 5).until(lambda d: d.find_element(By.ID, "thanks").is_displayed())
    WebDriverWait(browser, 10).until(lambda d: queued(d) == 0)
    assert kiosk_today(server)["responses"] == 1


def test_an_outage_loses_nothing_and_counts_nothing_twice(browser, server):
    set_up_kiosk(browser, server)
    rate(browser, {"q1": 5, "q2": 5, "q3": 5, "q4": 5})
    WebDriverWait(browser, 10).until(lambda d: queued(d) == 0)
    server.stop()
    WebDriverWait(browser, 15).until(lambda d: d.find_element(By.ID, "survey").is_displayed())
    rate(browser, {"q1": 2, "q2": 3})
    WebDriverWait(browser, 15).until(lambda d: d.find_element(By.ID, "survey").is_displayed())
    rate(browser, {"q4": 4}, comment="Second customer during the outage")
    time.sleep(1.5)  # the kiosk tries, fails and backs off
    assert queued(browser) == 2
    server.start()
    browser.refresh()  # the queue survives a reload, and is sent after it
    WebDriverWait(browser, 40).until(lambda d: queued(d) == 0)
    figures = kiosk_today(server)
    assert figures["responses"] == 3, "both queued responses stored, each exactly once"
    assert figures["ratings"] == 4 + 2 + 1


def test_the_live_display_updates_after_a_submission(browser, server):
    browser.get(f"{server.base}/live/C01#key={server.display_key}")
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-responses-today") == "0")
    html = browser.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ar"
    assert "key=" not in browser.current_url
    assert browser.find_element(By.ID, "heading-today").text == "اليوم"
    status, body = server.post("/v1/responses", server.kiosk_key, {
        "id": "live-test-1", "centre": "C01", "channel": "kiosk",
        "submitted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "q1": 4, "q2": 4, "q3": 5, "q4": 3})
    assert status == 201, body
    start = time.time()
    WebDriverWait(browser, 2).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-responses-today") == "1")
    assert time.time() - start <= 2
    row = browser.find_element(By.CSS_SELECTOR, "#panel-today tr[data-channel=kiosk]")
    assert "جهاز الخدمة الذاتية" in row.text


def test_the_live_display_reconnects_by_itself(browser, server):
    browser.get(f"{server.base}/live/C01#key={server.display_key}")
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "connection").get_attribute("data-state") == "online")
    server.stop()
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "connection").get_attribute("data-state") == "offline")
    server.start()
    WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "connection").get_attribute("data-state") == "online")
    server.post("/v1/responses", server.kiosk_key, {
        "id": "after-reconnect", "centre": "C01", "channel": "kiosk",
        "submitted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "q1": 5})
    WebDriverWait(browser, 3).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-responses-today") == "1")


def follow_up_cases(server):
    """The follow-up cases as the quality team reads them (GET /v1/cases, a quality key)."""
    cases = server.get("/v1/cases", server.reader_key)["cases"]
    return [(c["responseID"], c["centre"], c["channel"], c["reason"], c.get("contact", {}).get("phone"), c.get("contact", {}).get("email"))
            for c in cases]


def stored_rows(server):
    with closing(sqlite3.connect(f"file:{server.db}?mode=ro", uri=True)) as db:
        return db.execute("SELECT * FROM response").fetchall()


def contact_part(browser):
    return {name: browser.find_element(By.ID, f"contact-{name}") for name in ("consent", "fields", "phone", "email", "error")}


@pytest.mark.parametrize("window", [(390, 844), (1280, 1600)], ids=["phone", "kiosk"])
def test_a_customer_who_rated_low_asks_to_be_contacted(browser, server, window):
    browser.set_window_size(*window)
    set_up_kiosk(browser, server)
    part = contact_part(browser)
    assert not part["consent"].is_selected() and not part["fields"].is_displayed(), "optional, closed by default"
    label = browser.find_element(By.CSS_SELECTOR, "label[for='contact-consent']")
    assert label.text == "يمكنكم التواصل معي بخصوص تقييمي"
    assert "لمتابعة تقييمك" in browser.find_element(By.ID, "contact-note").text
    # A rating without the box is sent without contact fields (the test above); ticked, the fields show, labelled.
    tap(browser, "label[for='contact-consent']")
    assert part["consent"].is_selected() and part["phone"].is_displayed() and part["email"].is_displayed()
    assert part["phone"].get_attribute("type") == "tel" and part["phone"].get_attribute("autocomplete") == "tel"
    assert part["email"].get_attribute("type") == "email" and part["email"].get_attribute("autocomplete") == "email"
    assert "رقم الهاتف" in browser.find_element(By.CSS_SELECTOR, "label[for='contact-phone']").text
    assert "البريد الإلكتروني" in browser.find_element(By.CSS_SELECTOR, "label[for='contact-email']").text

    # Ticked with neither a phone nor an e-mail: the page says so next to the fields and sends nothing.
    tap(browser, "label[for='q1-2']")
    tap(browser, "#submit")
    WebDriverWait(browser, 5).until(lambda d: d.find_element(By.ID, "contact-error").is_displayed())
    assert "رقم هاتف أو بريداً إلكترونياً" in part["error"].text
    assert part["phone"].get_attribute("aria-invalid") == "true"
    assert browser.find_element(By.ID, "survey").is_displayed() and not browser.find_element(By.ID, "thanks").is_displayed()
    browser.find_element(By.ID, "language").click()  # the message follows the language
    assert "Give a phone number or an e-mail address" in part["error"].text
    assert browser.find_element(By.CSS_SELECTOR, "label[for='contact-consent']").text == "You may contact me about my answer"
    browser.find_element(By.ID, "language").click()
    time.sleep(0.5)
    assert queued(browser) == 0 and kiosk_today(server) is None, "nothing queued, nothing stored"

    # A phone in Arabic-Indic digits, rated 2: stored, and a case opened with the phone in ASCII digits.
    part["phone"].send_keys("+٩٧٣ ٣٣٣٣-٤٤٤٤")
    tap(browser, "#submit")
    WebDriverWait(browser, 5).until(lambda d: d.find_element(By.ID, "thanks").is_displayed())
    thanks = browser.find_element(By.ID, "thanks").text
    assert "٣٣٣٣" not in thanks and "3333" not in thanks, "nothing of the contact on the thank-you screen"
    # Right after submitting, the form is empty for the next customer, even while the thank-you screen shows.
    assert part["phone"].get_attribute("value") == "" and part["email"].get_attribute("value") == ""
    assert not part["consent"].is_selected() and part["fields"].get_attribute("hidden") is not None
    WebDriverWait(browser, 10).until(lambda d: queued(d) == 0)
    figures = kiosk_today(server)
    assert figures["responses"] == 1 and figures["ratings"] == 1 and figures["mean"] == 2
    [(response_id, centre, channel, reason, phone, email)] = follow_up_cases(server)
    assert (centre, channel, phone, email) == ("C01", "kiosk", "+97333334444", None)
    assert response_id == stored_rows(server)[0][0]
    assert not any("3333" in str(value) for row in stored_rows(server) for value in row), "the contact is not in the response"
    assert browser.execute_script("return Object.keys(localStorage).filter(k => localStorage.getItem(k).includes('3333'))") == []
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "survey").is_displayed())
    assert not part["consent"].is_selected() and not part["fields"].is_displayed()
    assert not part["error"].is_displayed()


def test_unticking_the_box_sends_no_contact(browser, server):
    set_up_kiosk(browser, server)
    part = contact_part(browser)
    tap(browser, "label[for='contact-consent']")
    part["email"].send_keys("Customer@Example.BH")
    tap(browser, "label[for='contact-consent']")  # changed their mind
    assert not part["fields"].is_displayed() and part["email"].get_attribute("value") == ""
    rate(browser, {"q1": 1})
    WebDriverWait(browser, 10).until(lambda d: queued(d) == 0)
    assert kiosk_today(server)["responses"] == 1
    assert follow_up_cases(server) == [], "no leave to contact, no case"


def test_an_e_mail_alone_is_enough_and_a_wrong_one_is_named(browser, server):
    set_up_kiosk(browser, server)
    part = contact_part(browser)
    browser.find_element(By.ID, "language").click()
    tap(browser, "label[for='contact-consent']")
    part["email"].send_keys("customer@")
    tap(browser, "label[for='q2-1']")
    tap(browser, "#submit")
    WebDriverWait(browser, 5).until(lambda d: d.find_element(By.ID, "contact-error").is_displayed())
    assert "e-mail address is not valid" in part["error"].text
    assert part["email"].get_attribute("aria-invalid") == "true" and part["phone"].get_attribute("aria-invalid") is None
    part["email"].send_keys("Example.BH")
    tap(browser, "#submit")
    WebDriverWait(browser, 5).until(lambda d: d.find_element(By.ID, "thanks").is_displayed())
    WebDriverWait(browser, 10).until(lambda d: queued(d) == 0)
    [case] = follow_up_cases(server)
    assert case[4:] == (None, "customer@example.bh")
