"""Issue 11: text a submitter (or an evaluator) sends, built to break out of its place in a page, behind each Unicode
"prepend" character (which joins the `<` after it into one grapheme cluster). It is posted through the API, and every
HTML page Rida writes is opened in headless Chromium: the kiosk, the live display, the HTML report (quality and public,
served and written by the command line, where no Content-Security-Policy helps), a published report's frozen page and
the assessment form. On each: no script ran, no element was injected, no navigation happened, and the text is shown."""
import datetime
import json
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import rida_binary

pytestmark = pytest.mark.slow

PREPENDS = ["\u0600", "\u0601", "\u0602", "\u0603", "\u0604", "\u0605", "\u06dd", "\u070f",
            "\u0890", "\u0891", "\u08e2", "\U000110bd", "\U000110cd"]


def payload(p, n):
    # An element with an id to find, a handler and a script that would mark the page, a refresh that would navigate,
    # a style that would hide the page, and a quote that would end an attribute (a combining mark after it).
    return (f'{p}<img id=pwn{n} src=x onerror="document.documentElement.dataset.pwned=1">'
            f'{p}<meta http-equiv=refresh content="0;url=about:blank">{p}<style>body{{display:none}}</style>'
            f'{p}<script>document.documentElement.dataset.pwned=1</script>{p}"\u0301 onmouseover=x')


def now_in_bahrain():
    return datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=3)))


def request(server, method, path, key, body=None, content_type="application/json"):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    headers = {"Authorization": "Bearer " + key}
    if data is not None:
        headers["Content-Type"] = content_type
    req = urllib.request.Request(server.base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def assert_inert(browser, url, shown):
    """Opens `url`, waits for a refresh or a script to act, and checks that none did and that `shown` is on the page."""
    browser.get(url)
    time.sleep(1.5)
    assert browser.current_url == url, f"the page navigated to {browser.current_url}"
    state = browser.execute_script("""
        return {pwned: document.documentElement.dataset.pwned || null,
                injected: document.querySelectorAll('[id^=pwn], img, iframe, object, embed, meta[http-equiv]').length,
                styles: document.querySelectorAll('style').length,
                inline: document.querySelectorAll('script:not([src]):not([type="application/json"])').length,
                handlers: document.querySelectorAll('[onerror], [onmouseover], [onload]').length,
                visible: document.body ? getComputedStyle(document.body).display : 'none',
                text: document.body ? document.body.textContent : ''};""")
    assert state["pwned"] is None, f"a script ran on {url}"
    assert state["injected"] == 0 and state["handlers"] == 0 and state["inline"] == 0, f"an element was injected on {url}: {state}"
    assert state["styles"] <= 1 and state["visible"] != "none", f"a style was injected on {url}"
    if shown:
        assert shown in state["text"], f"the hostile text is not shown on {url}"


@pytest.fixture
def hostile(server, tmp_path):
    """A database holding the payloads in services, comments, the centre's names and an evaluator's note."""
    evaluator = server.key("--role", "evaluator", "--label", "Evaluator")
    now = now_in_bahrain()
    quarter = f"{now.year}-Q{(now.month - 1) // 3 + 1}"
    name = payload("\u0600", 900)
    server.rida("centres", "add", "C01", "--entity", "E01", "--kind", "headquarters", "--channels", "counter,kiosk",
                "--ar", name, "--en", name)
    stamp = (now - datetime.timedelta(minutes=5)).isoformat(timespec="seconds")
    for n, p in enumerate(PREPENDS):
        body = {"id": f"hostile-{n}", "centre": "C01", "channel": "kiosk", "submitted_at": stamp,
                "q1": 1, "q2": 2, "q3": 4, "q4": 5, "service": payload(p, n), "comment": payload(p, 100 + n)}
        status, answer = request(server, "POST", "/v1/responses", server.kiosk_key, body)
        assert status == 201, answer
    cycle = str(now.year)
    server.rida("assess", "open", "--framework", "1", "--centre", "C01", "--cycle", cycle, "--by", "Test")
    note = {"evaluator": payload("\u0601", 800),
            "entries": [{"criterion": "1.1.1", "verdict": "met", "mechanism": "field-visit", "note": payload(p, 200 + n)}
                        for n, p in enumerate(PREPENDS[:1])]}
    status, answer = request(server, "POST", f"/v1/assessments/C01-{cycle}/verdicts", evaluator, note)
    assert status == 201, answer
    server.rida("report", "save", "--quarter", quarter, "--scope", "C01", "--by", "Test")
    server.rida("report", "publish", "1")
    files = {}
    for label, args in {
        "report-quality.html": ["report", "--quarter", quarter, "--centre", "C01", "--format", "html"],
        "report-public.en.html": ["report", "--quarter", quarter, "--centre", "C01", "--format", "html", "--public", "--lang", "en"],
        "published.html": ["report", "render", "1", "--format", "html"],
        "form.html": ["assess", "show", f"C01-{cycle}", "--format", "html"],
    }.items():
        out = subprocess.run([rida_binary(), *args, "--db", server.db], capture_output=True, check=True)
        path = tmp_path / label
        path.write_bytes(out.stdout)
        files[label] = path
    return {"quarter": quarter, "cycle": cycle, "files": files, "evaluator": evaluator}


def test_no_hostile_text_runs_injects_or_navigates_on_any_page(browser, server, hostile):
    quarter, cycle = hostile["quarter"], hostile["cycle"]
    shown = "onerror=\"document.documentElement.dataset.pwned=1\""
    # The pages the command line writes, opened as files: no Content-Security-Policy stands in the way.
    for label, path in hostile["files"].items():
        assert_inert(browser, path.as_uri(), shown)
    # The same pages served over HTTP, with the key in the browser's own requests (the pages are opened as a quality
    # team would, through a page of Rida that fetches and shows them: here, directly with the key in a data: frame
    # would not do, so they are fetched and written as files too, byte for byte what the service sends).
    for path in [f"/v1/reports/quarterly?quarter={quarter}&centre=C01&format=html",
                 f"/v1/reports/quarterly?quarter={quarter}&centre=C01&format=html&public=true&lang=en",
                 "/v1/reports/saved/1?format=html",
                 f"/v1/assessments/C01-{cycle}/form?format=html"]:
        status, body = request(server, "GET", path, server.reader_key)
        assert status == 200, body
        served = hostile["files"]["report-quality.html"].parent / ("served-" + str(abs(hash(path))) + ".html")
        served.write_bytes(body)
        assert_inert(browser, served.as_uri(), shown)
    # The published page is the frozen bytes: the same as `rida report render`.
    status, body = request(server, "GET", "/v1/reports/saved/1?format=html", server.reader_key)
    assert body == hostile["files"]["published.html"].read_bytes()
    # The kiosk, and the live display for a centre whose name in the address is hostile.
    browser.get(f"{server.base}/kiosk/setup#centre=C01&key={server.kiosk_key}")
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "setup-result").get_attribute("data-state") == "saved")
    assert_inert(browser, f"{server.base}/kiosk", None)
    assert_inert(browser, f"{server.base}/live/C01", None)
    hostile_centre = payload("\u0602", 700)
    live = f"{server.base}/live/{urllib.parse.quote(hostile_centre, safe='')}"
    assert_inert(browser, live, "onerror")


def test_kiosk_with_a_clock_in_1970_sends_the_servers_time(browser, server):
    """A kiosk whose clock was never set (here 56 years behind) rates: the page sends Rida's time, says so, and the
    rating is stored today instead of being refused or lost."""
    from test_pages import kiosk_today, rate, set_up_kiosk
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
        const realNow = Date.now.bind(Date);
        Date.now = () => realNow() - 56 * 365 * 86400000;"""})
    set_up_kiosk(browser, server)
    assert browser.execute_script("return new Date(Date.now()).getFullYear()") < 2000
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return localStorage.getItem('rida.clockOffset')") is not None)
    rate(browser, {"q1": 5, "q2": 4})
    deadline = time.time() + 10
    while time.time() < deadline and not (kiosk_today(server) or {}).get("responses"):
        time.sleep(0.2)
    today = kiosk_today(server)
    assert today and today["responses"] == 1, "the rating is counted today, in Rida's time"
    assert browser.execute_script("return JSON.parse(localStorage.getItem('rida.refused') || '[]').length") == 0
