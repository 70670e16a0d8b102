"""Starts the built `rida serve` on 127.0.0.1 with a fresh database, and headless Chromium (Debian's
`chromium` and `chromium-driver`, driven by Selenium) for the page tests."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[2]


def rida_binary():
    if os.environ.get("RIDA"):
        return os.environ["RIDA"]
    for configuration in ("debug", "release"):
        candidate = ROOT / ".build" / configuration / "rida"
        if candidate.exists():
            return str(candidate)
    raise RuntimeError("build rida first: swift build")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `rida serve` process over one database file; stop() and start() keep the file and port."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.db = str(self.folder / "rida.sqlite")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.log = open(self.folder / "serve.log", "ab")

    def rida(self, *args):
        out = subprocess.run([rida_binary(), *args, "--db", self.db], capture_output=True, text=True, check=True)
        return out.stdout

    def key(self, *args):
        return self.rida("keys", "create", *args).strip().splitlines()[-1]

    def start(self):
        self.process = subprocess.Popen(
            [rida_binary(), "serve", "--db", self.db, "--port", str(self.port)],
            stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/health", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("rida serve did not answer /health within 30 s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=20)
        self.process = None

    def get(self, path, key):
        request = urllib.request.Request(self.base + path, headers={"Authorization": "Bearer " + key})
        with urllib.request.urlopen(request, timeout=5) as answer:
            return json.loads(answer.read())

    def post(self, path, key, body):
        request = urllib.request.Request(
            self.base + path, data=json.dumps(body).encode(), method="POST",
            headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, json.loads(answer.read())


    def invite(self, **invitation):
        """Registers one invitation through `POST /v1/invitations` with the counter system's key; its path `/s/{token}`
        and the invitation as answered."""
        body = {"channel": "counter", "expires_in_days": 7, **invitation}
        status, answer = self.post("/v1/invitations", self.counter_key, body)
        assert status == 201, answer
        registered = answer["invitations"][0]
        return "/s/" + registered["token"], registered

    def form(self, path, fields):
        """Posts a form as a browser would (urlencoded), without a key: the status and the page's text."""
        request = urllib.request.Request(
            self.base + path, data=urllib.parse.urlencode(fields).encode(), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as refused:
            return refused.code, refused.read().decode()


@pytest.fixture
def server():
    with tempfile.TemporaryDirectory(prefix="rida-browser-") as folder:
        s = Server(folder)
        s.start()
        s.kiosk_key = s.key("--role", "submitter", "--centre", "C01", "--channel", "kiosk", "--label", "Browser test kiosk")
        # The counter system that registers invitations after a service: C01, any channel.
        s.counter_key = s.key("--role", "submitter", "--centre", "C01", "--label", "Browser test counter system")
        s.reader_key = s.key("--role", "quality", "--label", "Browser test reader")
        # The waiting hall's screen holds a display key: C01's live figures and nothing else.
        s.display_key = s.key("--role", "display", "--centre", "C01", "--label", "Browser test hall screen")
        try:
            yield s
        finally:
            s.stop()
            s.log.close()


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,1600", "--lang=ar"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        shots = os.environ.get("RIDA_SCREENSHOTS")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(Path(shots) / f"{int(time.time() * 1000)}.png"))
        driver.quit()
