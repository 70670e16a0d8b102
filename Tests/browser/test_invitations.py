"""The invitation page (`/s/{token}`, issue 15) in headless Chromium at a phone's size, against the real `rida serve`:
an invitation registered through the API by the counter system, answered in Arabic and counted in the quarter's
report and its reach; a second visit refused kindly; English at a touch; the contact box opening a follow-up case;
answers with no rating sent back with the comment kept; an unknown link; an expired link (an invitation lives at least a
day and `rida serve` reads the machine's clock, so the test moves the stored expiry to the invitation's creation, in
the real database file, as a day passing would)."""
import sqlite3
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from test_pages import tap

pytestmark = pytest.mark.slow

PHONES = [(360, 740), (390, 844)]


def as_phone(browser, width, height):
    """Makes the tab a phone's screen: its width and height in CSS pixels, a touch screen's scale, the viewport tag."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 2, "mobile": True})


def open_page(browser, server, path):
    browser.get(server.base + path)
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")


def fits_the_width(browser):
    """No sideways scrolling. On a phone the layout viewport grows to hold what overflows (window.innerWidth with it),
    so the page's width is compared with the screen's layout width, clientWidth, which stays the phone's."""
    return browser.execute_script(
        "const e = document.documentElement; return e.scrollWidth <= e.clientWidth && window.innerWidth <= e.clientWidth")


def answer(browser, ratings, comment=None):
    for question, value in ratings.items():
        tap(browser, f"label[for='{question}-{value}']")
        assert browser.find_element(By.ID, f"{question}-{value}").is_selected()
    if comment:
        browser.find_element(By.ID, "comment").send_keys(comment)
    tap(browser, "button[type=submit]")
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "main .message, main .problems"))


def scale_ends(browser):
    return (browser.find_element(By.CSS_SELECTOR, "label[for='q1-1']").rect,
            browser.find_element(By.CSS_SELECTOR, "label[for='q1-5']").rect)


def assert_scale_is_a_column(browser):
    """On a phone five labelled choices side by side do not fit (not in English): each scale is a column, 1 at the
    top, every choice a full-width target at least 44 px high."""
    one, five = scale_ends(browser)
    assert one["y"] < five["y"] and one["x"] == five["x"]
    width = browser.execute_script("return document.documentElement.clientWidth")
    for value in range(1, 6):
        choice = browser.find_element(By.CSS_SELECTOR, f"label[for='q1-{value}']").rect
        assert choice["height"] >= 44 and choice["width"] >= width * 0.75


def quarter_now():
    t = time.gmtime()
    return f"{t.tm_year}-Q{(t.tm_mon - 1) // 3 + 1}"


def quarterly(server):
    return server.get(f"/v1/reports/quarterly?centre=C01&quarter={quarter_now()}&format=json", server.reader_key)


def reach_of(report, channel):
    found = [item for item in report.get("reach") or [] if item["centre"] == "C01" and item["channel"] == channel]
    return found[0] if found else None


@pytest.mark.parametrize("width,height", PHONES)
def test_an_invitation_answered_in_arabic_is_counted_once(browser, server, width, height):
    path, registered = server.invite(service="تجديد جواز السفر", counter="7", stage="after")
    assert registered["link"].endswith(path) and registered["centre"] == "C01"
    as_phone(browser, width, height)
    open_page(browser, server, path)
    html = browser.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ar"
    context = browser.find_element(By.CSS_SELECTOR, ".context").text
    assert "تجديد جواز السفر" in context and "7" in context
    assert browser.execute_script("return document.documentElement.clientWidth") == width
    assert fits_the_width(browser), "the page fits the phone's width: no sideways scrolling"
    assert_scale_is_a_column(browser)
    answer(browser, {"q1": 5, "q2": 4, "q3": 4, "q4": 3}, comment="الموظف كان لطيفاً والانتظار قصير")
    assert browser.find_element(By.TAG_NAME, "h1").text == "شكراً لك"
    assert "وصل تقييمك" in browser.find_element(By.CSS_SELECTOR, ".message").text
    assert fits_the_width(browser)

    report = quarterly(server)
    reach = reach_of(report, "counter")
    assert reach is not None, report.get("reach")
    assert reach["responses"] == 1
    assert (reach["invitationsSent"], reach["invitationsOpened"], reach["invitationsAnswered"]) == (1, 1, 1)

    # A second visit of the same link: answered already, kindly; posting again stores nothing.
    open_page(browser, server, path)
    assert "لقد أجبت على هذا الاستبيان من قبل" in browser.find_element(By.CSS_SELECTOR, ".message").text
    assert not browser.find_elements(By.TAG_NAME, "form")
    assert fits_the_width(browser)
    status, page = server.form(path, {"q1": "1", "q2": "1", "q3": "1", "q4": "1"})
    assert status == 200 and "لقد أجبت على هذا الاستبيان من قبل" in page
    reach = reach_of(quarterly(server), "counter")
    assert reach["responses"] == 1 and reach["invitationsAnswered"] == 1


def test_english_at_a_touch(browser, server):
    path, _ = server.invite(service="Passport renewal", counter="3")
    as_phone(browser, *PHONES[0])
    open_page(browser, server, path)
    language = browser.find_element(By.CSS_SELECTOR, "header a[lang=en]")
    assert language.text == "English"
    language.click()
    WebDriverWait(browser, 5).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "ltr"
    assert "Passport renewal" in browser.find_element(By.CSS_SELECTOR, ".context").text
    assert "competence" in browser.find_element(By.CSS_SELECTOR, "fieldset legend").text
    assert fits_the_width(browser)
    assert_scale_is_a_column(browser)
    # On a wider screen (a tablet) the five choices stand in a row, in the reading direction.
    as_phone(browser, 768, 1024)
    assert scale_ends(browser)[0]["x"] < scale_ends(browser)[1]["x"]
    browser.find_element(By.CSS_SELECTOR, "header a[lang=ar]").click()
    WebDriverWait(browser, 5).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ar")
    assert scale_ends(browser)[0]["x"] > scale_ends(browser)[1]["x"], "in Arabic, 1 stands at the right"
    browser.find_element(By.CSS_SELECTOR, "header a[lang=en]").click()
    WebDriverWait(browser, 5).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
    as_phone(browser, *PHONES[0])
    answer(browser, {"q1": 4, "q3": 5}, comment="Quick and clear")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Thank you"
    reach = reach_of(quarterly(server), "counter")
    assert reach["responses"] == 1 and reach["invitationsAnswered"] == 1


def test_an_expired_link_says_so_kindly(browser, server):
    path, registered = server.invite(service="تجديد جواز السفر", counter="2")
    with sqlite3.connect(server.db) as db:
        changed = db.execute("UPDATE invitation SET expiresAt = createdAt WHERE id = ?", (registered["id"],)).rowcount
    assert changed == 1
    as_phone(browser, *PHONES[0])
    open_page(browser, server, path)
    html = browser.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ar"
    assert browser.find_element(By.TAG_NAME, "h1").text == "انتهت صلاحية الرابط"
    assert not browser.find_elements(By.TAG_NAME, "form")
    assert fits_the_width(browser)
    status, page = server.form(path, {"q1": "5", "q2": "5", "q3": "5", "q4": "5"})
    assert status == 410 and "انتهت المدة المتاحة" in page
    with sqlite3.connect(server.db) as db:
        assert db.execute("SELECT count(*) FROM response").fetchone()[0] == 0
        assert db.execute("SELECT answeredAt FROM invitation WHERE id = ?", (registered["id"],)).fetchone()[0] is None


def test_an_unknown_link_says_so_kindly_in_arabic(browser, server):
    as_phone(browser, *PHONES[0])
    status, page = server.form("/s/" + "A" * 22, {"q1": "5"})
    assert status == 404 and "الرابط غير معروف" in page
    open_page(browser, server, "/s/" + "A" * 22)
    html = browser.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ar"
    assert browser.find_element(By.TAG_NAME, "h1").text == "الرابط غير معروف"
    assert "نسخت الرابط كاملاً" in browser.find_element(By.CSS_SELECTOR, ".message").text
    assert fits_the_width(browser)


def test_the_contact_box_opens_a_follow_up_case(browser, server):
    path, registered = server.invite(service="تجديد جواز السفر", counter="7")
    as_phone(browser, *PHONES[0])
    open_page(browser, server, path)
    tap(browser, "label[for='contact_consent']")
    assert browser.find_element(By.ID, "contact_consent").is_selected()
    browser.find_element(By.ID, "contact_phone").send_keys("+973 3333 4444")
    answer(browser, {"q1": 1})
    assert "سنتواصل معك" in browser.find_element(By.CSS_SELECTOR, ".message").text
    cases = server.get("/v1/cases", server.reader_key)["cases"]
    assert len(cases) == 1, cases
    case = cases[0]
    assert case["channel"] == "counter" and case["centre"] == "C01"
    phone = (case.get("contact") or {}).get("phone") or ""
    assert "".join(ch for ch in phone if ch.isdigit()) == "97333334444", case


def test_answers_with_no_rating_come_back_with_the_comment_kept(browser, server):
    path, _ = server.invite(service="تجديد جواز السفر", counter="7")
    as_phone(browser, *PHONES[0])
    open_page(browser, server, path)
    answer(browser, {}, comment="لم أجد ما أقيّمه")
    problems = browser.find_element(By.CSS_SELECTOR, ".problems")
    assert problems.get_attribute("role") == "alert"
    assert "قيّم سؤالاً واحداً على الأقل." in problems.text
    assert browser.find_element(By.ID, "comment").get_attribute("value") == "لم أجد ما أقيّمه"
    assert fits_the_width(browser)
    status, page = server.form(path, {"comment": "x"})
    assert status == 422 and "قيّم سؤالاً واحداً على الأقل." in page
    # Nothing was stored: the same link still takes answers, once, and the report counts that one.
    answer(browser, {"q2": 2})
    assert browser.find_element(By.TAG_NAME, "h1").text == "شكراً لك"
    reach = reach_of(quarterly(server), "counter")
    assert (reach["responses"], reach["invitationsSent"], reach["invitationsAnswered"]) == (1, 1, 1)
