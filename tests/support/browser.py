"""Headless Chromium driven from the tests with the standard library (no tests here): axe-core's violations
of a page, whether it scrolls sideways at a width, and screenshots.

Chromium is Debian's (apt-get install chromium), axe-core the npm package that .ci/run installs into
tests/.node (AXE_JS). Chromium is driven over the DevTools protocol on --remote-debugging-pipe: it reads
commands on its fd 3 and writes replies and events on its fd 4, each a JSON text ended by a NUL byte. No
websocket, no driver, no browser download. Chromium runs in its own process group and is ended by its id.

    with Chromium(path) as browser:
        page = browser.page()
        page.open(html_file)
        violations = page.axe()
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Self

import pytest

AXE_JS = Path(__file__).resolve().parent.parent / ".node" / "node_modules" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"  # what .ci/run installs
TIMEOUT = 60.0  # seconds for one reply: a cold start on a loaded 2-core machine
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
         "--disable-dev-shm-usage", "--mute-audio",
         "--hide-scrollbars",  # a scrollbar takes no width from the layout: widths are the page's own
         # Nothing leaves the machine: a page asking for a web font or a script fails at once.
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
         "--remote-debugging-pipe"]


class BrowserError(RuntimeError):
    pass


class Chromium:
    """One headless Chromium for many pages; close() (or the with block) ends it and its renderers."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="kpixl-chromium-")
        to_child, self._to_child = os.pipe()
        self._from_child, from_child = os.pipe()

        def plumbing() -> None:  # in the child, before exec: our pipe ends become its fds 3 and 4
            a, b = os.dup(to_child), os.dup(from_child)  # above 4 first, so dup2 cannot clobber them
            os.dup2(a, 3)
            os.dup2(b, 4)

        # preexec_fn is unsafe only in a threaded parent; the tests start Chromium from their one thread, and
        # subprocess has no other way to give a child an fd at a number of our choosing (pass_fds keeps ours).
        self.process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=plumbing,  # noqa: PLW1509
            close_fds=False,
            start_new_session=True)  # its own process group, ended as one in close()
        os.close(to_child)
        os.close(from_child)
        self._buffer = b""
        self._last_id = 0
        self._events: list[dict[str, Any]] = []
        self.version = self.send("Browser.getVersion")["product"]  # waits until Chromium answers

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._last_id += 1
        message: dict[str, Any] = {"id": self._last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._last_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self._events.append(reply)

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        while True:
            for n, event in enumerate(self._events):
                if event.get("method") == method and event.get("sessionId") == session:
                    return self._events.pop(n)
            self._events.append(self._read())

    def _read(self) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready = select.select([self._from_child], [], [], max(left, 0))[0] if left > 0 else []
            if not ready:
                raise BrowserError(f"Chromium did not answer within {TIMEOUT:.0f} s")
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium closed its pipe (exit code {self.process.poll()})")
            self._buffer += chunk
        text, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(text))

    def page(self) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return Page(self, target, session)

    def close(self) -> None:
        try:
            self.send("Browser.close")
            self.process.wait(timeout=10)
        except (BrowserError, OSError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)  # the group setsid made: Chromium's own, by its id
            self.process.wait()
        for fd in (self._to_child, self._from_child):
            os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# What axe reports, trimmed to what a failing test should print.
_RUN_AXE = """
axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => ({
    target: n.target, html: n.html.slice(0, 200), summary: n.failureSummary}))})))
"""


class Page:
    def __init__(self, browser: Chromium, target: str, session: str) -> None:
        self.browser, self.target, self.session = browser, target, session
        self.send("Page.enable")

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, self.session)

    def open(self, path: Path) -> None:
        result = self.send("Page.navigate", {"url": path.resolve().as_uri()})
        if result.get("errorText"):
            raise BrowserError(f"cannot open {path}: {result['errorText']}")
        self.browser.wait_for("Page.loadEventFired", self.session)

    def evaluate(self, expression: str, wait: bool = False) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": wait,
                                                "returnByValue": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def set_width(self, width: int, height: int = 900) -> None:
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                                                         "mobile": False})

    def axe(self, axe_js: Path = AXE_JS) -> list[dict[str, Any]]:
        """axe-core's violations of the page as it is now: [] when it finds none."""
        self.evaluate(axe_js.read_text(encoding="utf-8"))
        return list(self.evaluate(_RUN_AXE, wait=True))

    def overflow(self) -> int:
        """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
        return int(self.evaluate("document.documentElement.scrollWidth - window.innerWidth"))

    def widest(self) -> list[str]:
        """The elements that stick out past the window's right edge, for a failing test to name."""
        return list(self.evaluate("""Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
            .slice(0, 10).map(e => e.tagName + (e.id ? '#' + e.id : '') + ' ' + e.textContent.slice(0, 40))"""))

    def screenshot(self, path: Path, selector: str = "") -> None:
        """The window (scrolled to selector's element first, when given) as a PNG."""
        if selector:
            self.evaluate(f"document.querySelector({json.dumps(selector)}).scrollIntoView()")
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"]))

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})


def require_axe() -> Path:
    """axe-core's script, or skip; in CI (env CI set) a missing one fails: .ci/run installs it."""
    if AXE_JS.is_file():
        return AXE_JS
    message = (f"axe-core is not installed in tests/.node: npm install --prefix tests/.node --no-save "
               f"axe-core@{AXE_VERSION}")
    if os.environ.get("CI"):
        pytest.fail(f"{message} (.ci/run must install it)")
    pytest.skip(message)
