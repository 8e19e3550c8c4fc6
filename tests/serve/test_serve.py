"""`lsc-tui serve`: binds, the access check in front of textual-serve, and one edit in a real browser."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each test starts `lsc-tui serve` and talks to it over HTTP

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "t0ken-for-the-serve-tests-1234"
# a unified config with one vLLM provider (tests/fixtures/unified-vllm.yaml)
CONFIG = (Path(__file__).resolve().parents[1] / "fixtures" / "unified-vllm.yaml").read_text(encoding="utf-8")


def _env() -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("LSC_TUI_SERVE_TOKEN", None)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(args: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lsc_tui", "serve", *args], cwd=cwd, capture_output=True, text=True,
                          env=_env(), timeout=30, **kw)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "lightspeed-stack.yaml").write_text(CONFIG)
    return tmp_path


def test_a_non_loopback_bind_without_a_token_is_refused(workspace):
    r = _serve(["--host", "0.0.0.0", "--port", str(_free_port())], workspace)
    assert r.returncode == 2
    assert "refusing to serve on 0.0.0.0 without a token" in r.stderr and "--token" in r.stderr
    short = _serve(["--host", "0.0.0.0", "--token", "short"], workspace)
    assert short.returncode == 2 and "too short" in short.stderr
    missing = _serve(["nothing-here.yaml"], workspace)
    assert missing.returncode == 2 and "nothing-here.yaml" in missing.stderr



def test_a_port_in_use_is_refused_before_any_address_is_printed(workspace):
    """The address to open was printed (and the web server's banner) before the bind failed: the
    operator was told to open a page of another program."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = _serve(["--port", str(port)], workspace)
    assert r.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in r.stderr and "in use" in r.stderr
    assert "open http" not in r.stdout and "Serving" not in r.stdout + r.stderr


class Served:
    def __init__(self, workspace: Path, *extra: str):
        self.port = _free_port()
        self.log = workspace / "serve.log"
        self.proc = subprocess.Popen([sys.executable, "-m", "lsc_tui", "serve", "--port", str(self.port), *extra],
                                     cwd=workspace, env=_env(), stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        t0 = time.monotonic()
        while time.monotonic() - t0 < 30:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise AssertionError(self.log.read_text()) from None
                time.sleep(0.1)
        raise AssertionError("lsc-tui serve did not start")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kw):
        return None


def _get(url: str, headers: dict | None = None) -> tuple[int, dict, str]:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def test_the_token_is_checked_on_every_route_and_never_logged(workspace):
    srv = Served(workspace, "--token", TOKEN)
    try:
        assert _get(srv.base + "/")[0] == 401
        assert _get(srv.base + "/static/css/xterm.css")[0] == 401
        assert _get(srv.base + "/?token=wrong-token-of-enough-length")[0] == 401
        code, headers, _ = _get(srv.base + f"/?token={TOKEN}&fontsize=14")
        assert code == 303 and headers["Location"] == "/?fontsize=14"
        cookie = headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        code, _, page = _get(srv.base + "/", {"Cookie": cookie.split(";")[0]})
        assert code == 200 and f"ws://127.0.0.1:{srv.port}/ws" in page
        assert _get(srv.base + "/static/css/xterm.css", {"Authorization": f"Bearer {TOKEN}"})[0] == 200
        # DNS rebinding: a loopback server answers loopback names only
        assert _get(srv.base + "/", {"Cookie": cookie.split(";")[0], "Host": f"evil.example:{srv.port}"})[0] == 403
        # a websocket opened by another site's page
        assert _get(srv.base + "/ws", {"Cookie": cookie.split(";")[0], "Origin": "http://evil.example",
                                       "Connection": "Upgrade", "Upgrade": "websocket",
                                       "Sec-WebSocket-Version": "13",
                                       "Sec-WebSocket-Key": base64.b64encode(b"0123456789abcdef").decode()})[0] == 403
    finally:
        srv.stop()
    assert TOKEN not in srv.log.read_text()


def test_loopback_without_a_token_still_refuses_other_sites(workspace):
    srv = Served(workspace)
    try:
        assert _get(srv.base + "/")[0] == 200
        assert _get(srv.base + "/ws", {"Origin": "http://evil.example", "Connection": "Upgrade",
                                       "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                                       "Sec-WebSocket-Key": base64.b64encode(b"0123456789abcdef").decode()})[0] == 403
    finally:
        srv.stop()


# -- a real browser ------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """Headless Chromium driven over the DevTools protocol (a websocket, with aiohttp)."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="lsc-tui-chromium-")
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={self.profile}", "--remote-debugging-port=0", "--window-size=1600,1000",
             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.events: list[dict] = []
        self._ids = 0
        self._waiting: dict[int, asyncio.Future] = {}

    async def connect(self) -> None:
        import aiohttp

        port_file = Path(self.profile) / "DevToolsActivePort"
        t0 = time.monotonic()
        while not port_file.is_file() or not port_file.read_text().strip():
            if time.monotonic() - t0 > 30:
                raise AssertionError("chromium did not start")
            await asyncio.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        self.session = aiohttp.ClientSession()
        async with self.session.get(f"http://127.0.0.1:{port}/json/list") as r:
            targets = await r.json()
        page = next(t for t in targets if t["type"] == "page")
        self.ws = await self.session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            data = json.loads(msg.data)
            if "id" in data and data["id"] in self._waiting:
                self._waiting.pop(data["id"]).set_result(data)
            else:
                self.events.append(data)

    async def call(self, method: str, **params) -> dict:
        self._ids += 1
        fut = asyncio.get_running_loop().create_future()
        self._waiting[self._ids] = fut
        await self.ws.send_str(json.dumps({"id": self._ids, "method": method, "params": params}))
        reply = await asyncio.wait_for(fut, 30)
        if "error" in reply:
            raise AssertionError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def key(self, key: str, code: str, vk: int, text: str | None = None) -> None:
        down = {"type": "keyDown", "key": key, "code": code, "windowsVirtualKeyCode": vk}
        if text is not None:
            down["text"] = text
        await self.call("Input.dispatchKeyEvent", **down)
        await self.call("Input.dispatchKeyEvent", type="keyUp", key=key, code=code, windowsVirtualKeyCode=vk)

    async def close(self) -> None:
        try:
            await self.call("Browser.close")
        except Exception:  # noqa: BLE001, S110 - the browser may already be gone
            pass
        self._reader.cancel()
        await self.session.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        shutil.rmtree(self.profile, ignore_errors=True)


class Screen:
    """The editor's screen as the browser received it: the websocket's terminal bytes, replayed."""

    def __init__(self, browser: Browser):
        import pyte

        self.browser = browser
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.seen = 0

    def update(self) -> str:
        from urllib.parse import parse_qs, urlsplit

        events = self.browser.events
        while self.seen < len(events):
            e = events[self.seen]
            self.seen += 1
            method, params = e.get("method"), e.get("params", {})
            if method == "Network.webSocketCreated":
                q = parse_qs(urlsplit(params["url"]).query)
                if "width" in q:
                    self.screen.resize(int(q["height"][0]), int(q["width"][0]))
            elif method == "Network.webSocketFrameSent":
                payload = params["response"]["payloadData"]
                if payload.startswith('["resize"'):
                    size = json.loads(payload)[1]
                    self.screen.resize(size["height"], size["width"])
            elif method == "Network.webSocketFrameReceived" and params["response"]["opcode"] == 2:
                self.stream.feed(base64.b64decode(params["response"]["payloadData"]))
        return "\n".join(self.screen.display)

    async def settle(self, quiet: float = 1.0, timeout: float = 60) -> None:
        """Wait until the editor has drawn nothing for ``quiet`` seconds (it is idle, ready for keys)."""
        t0 = time.monotonic()
        last, count = time.monotonic(), len(self.browser.events)
        while time.monotonic() - t0 < timeout:
            await asyncio.sleep(0.1)
            if len(self.browser.events) != count:
                last, count = time.monotonic(), len(self.browser.events)
            elif time.monotonic() - last >= quiet:
                return
        raise AssertionError("the editor never went idle")

    async def wait_for(self, *needles: str, timeout: float = 60) -> str:
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            text = self.update()
            if all(n in text for n in needles):
                return text
            await asyncio.sleep(0.1)
        raise AssertionError(f"not on the screen: {needles}\n{self.update()}")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/run installs it)")
def test_the_editor_in_headless_chromium_edits_a_value_through_to_the_diff(workspace):
    srv = Served(workspace, "--token", TOKEN)

    async def go():
        browser = Browser()
        try:
            await browser.connect()
            await browser.call("Network.enable")
            await browser.call("Page.enable")
            screen = Screen(browser)
            await browser.call("Page.navigate", url=f"{srv.base}/?token={TOKEN}")
            await screen.wait_for("lightspeed-stack.yaml (config)", "vllm1", "No changes")
            await screen.settle()
            before = screen.update()  # the page has not had the focus yet
            await browser.call("Runtime.evaluate", expression="document.querySelector('textarea').focus()")
            await screen.settle()
            # the tree: down to the provider, show its form; tab into it; the id field: add a character at its end
            await browser.key("j", "KeyJ", 74, "j")
            await browser.key("j", "KeyJ", 74, "j")
            await browser.key("Enter", "Enter", 13, "\r")
            await screen.wait_for("extra.base")
            await screen.settle()
            await browser.key("Tab", "Tab", 9)  # into the form: its first field, the id
            await screen.settle()
            await browser.key("End", "End", 35)
            await browser.key("2", "Digit2", 50, "2")
            after = await screen.wait_for("vllm12", "+++ synthesized run.yaml", "[+]")
            return before, after
        finally:
            await browser.close()

    try:
        before, after = asyncio.run(asyncio.wait_for(go(), 180))
    finally:
        srv.stop()
    assert "vllm12" not in before
    # the footer shows the keys before the page is clicked (it stayed empty until then)
    assert "? Help" in before.rstrip().splitlines()[-1], before.rstrip().splitlines()[-1]
    diff_lines = [line for line in after.splitlines() if "provider_id: vllm12" in line]
    assert diff_lines and any("+" in line.split("provider_id")[0] for line in diff_lines), after
    assert TOKEN not in srv.log.read_text()
    assert (workspace / "lightspeed-stack.yaml").read_text() == CONFIG  # edited in the buffer, not saved


# -- stopping the server ends every tab's editor ----------------------------------------------------


def _editors_of(config: Path) -> list[int]:
    """The editor processes running on ``config`` (one per open tab; any process in the system)."""
    needle = str(config).encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            words = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if needle in words and b"lsc_tui" in b" ".join(words) and not (entry / "task").samefile("/proc/self/task"):
            pids.append(int(entry.name))
    return pids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def _open_tab(srv: Served, config: Path):
    """A websocket as the page opens it; returns once the tab's editor has drawn its first screen."""
    import aiohttp

    session = aiohttp.ClientSession()
    ws = await session.ws_connect(f"ws://127.0.0.1:{srv.port}/ws?width=80&height=24",
                                  headers={"Origin": srv.base})
    t0 = time.monotonic()
    while time.monotonic() - t0 < 60:
        msg = await asyncio.wait_for(ws.receive(), 60)
        if msg.type == aiohttp.WSMsgType.BINARY and b"lightspeed-stack.yaml" in msg.data:
            break
    else:
        raise AssertionError("the tab's editor never drew")

    async def read_on():  # as a page does: take the frames, answer the close
        async for _msg in ws:
            pass

    reader = asyncio.ensure_future(read_on())
    session.on_close = reader  # kept alive with the session
    return session, ws


def _wait_gone(pids: list[int], seconds: float) -> list[int]:
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        left = [p for p in pids if _alive(p)]
        if not left:
            return []
        time.sleep(0.1)
    return [p for p in pids if _alive(p)]


def _stop_with_a_tab(srv, config, stop):
    """``(the tab editors' pids, what stop() returned)``: a tab open on ``config``, the server
    stopped by the coroutine ``stop`` while the tab is still connected."""

    async def go():
        session, ws = await _open_tab(srv, config)
        try:
            editors = _editors_of(config)
            assert editors
            return editors, await stop()
        finally:
            await session.close()

    try:
        return asyncio.run(go())
    finally:
        srv.stop()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_the_server_alone_ends_it_and_its_editors_within_seconds(workspace, sig):
    """A supervisor (systemd, docker stop, kill) signals the server, not its editors: with a tab
    open, the server used to wait 20 to 35 s (docker stop's 10 s grace then killed it, leaving
    the editor behind)."""
    srv = Served(workspace)

    async def signal_and_wait():
        t0 = time.monotonic()
        srv.proc.send_signal(sig)
        while srv.proc.poll() is None and time.monotonic() - t0 < 30:
            await asyncio.sleep(0.1)
        return time.monotonic() - t0

    editors, took = _stop_with_a_tab(srv, workspace / "lightspeed-stack.yaml", signal_and_wait)
    assert srv.proc.returncode is not None and took < 8, f"the server took {took:.1f} s to stop"
    assert _wait_gone(editors, 5) == [], "an editor outlived the server"
    assert TOKEN not in srv.log.read_text() and "Traceback" not in srv.log.read_text()


def test_a_server_killed_outright_takes_its_editors_with_it(workspace):
    """SIGKILL (the OOM killer, docker's grace period over): the tabs' editors used to run on,
    orphaned, with nothing to read their input."""
    srv = Served(workspace)

    async def kill():
        srv.proc.kill()
        srv.proc.wait(10)

    editors, _ = _stop_with_a_tab(srv, workspace / "lightspeed-stack.yaml", kill)
    left = _wait_gone(editors, 10)
    for pid in left:  # do not leave them behind after a failure either
        os.kill(pid, signal.SIGKILL)
    assert left == [], "an editor outlived the killed server"


LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "")


def test_the_printed_address_of_a_bind_to_every_interface_is_one_a_browser_can_open():
    """`--host 0.0.0.0 --token auto` printed http://0.0.0.0:PORT/?token=..., an address no
    browser on another machine can open; it names this host, then the loopback address."""
    from lsc_tui.webserve import addresses

    everywhere = addresses("0.0.0.0", 8000)
    assert everywhere[-1] == "http://127.0.0.1:8000"
    assert not any("0.0.0.0" in a for a in everywhere)
    name = next((n for n in (socket.getfqdn(), socket.gethostname()) if n not in LOOPBACK_NAMES), None)
    assert everywhere[:-1] == ([f"http://{name}:8000"] if name else [])
    assert addresses("::", 9000)[-1] == "http://[::1]:9000"
    assert addresses("10.0.0.5", 8000) == ["http://10.0.0.5:8000"]
    assert addresses("::1", 8000) == ["http://[::1]:8000"]
    assert addresses("0.0.0.0", 8000, "https://lsc.example.com/") == ["https://lsc.example.com"]


def test_two_servers_on_one_host_keep_their_own_sign_in(tmp_path):
    """Two configs served from one host on two ports, each with its token: a browser keeps
    cookies per host, not per port, so signing in to the second server replaced the first
    one's cookie, and the first tab's next request (a reload, the websocket reconnecting) got
    401."""
    import http.cookiejar

    servers = []
    for name, token in (("a", TOKEN), ("b", TOKEN[::-1])):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "lightspeed-stack.yaml").write_text(CONFIG)
        servers.append((Served(folder, "--token", token), token))
    try:
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        for srv, token in servers:
            with browser.open(f"{srv.base}/?token={token}", timeout=10) as r:  # follows the redirect to /
                assert r.status == 200
        for srv, _token in servers:
            with browser.open(f"{srv.base}/", timeout=10) as r:
                assert r.status == 200, srv.base
    except urllib.error.HTTPError as e:
        raise AssertionError(f"{e.url}: {e.code}") from None
    finally:
        for srv, _token in servers:
            srv.stop()


def test_a_public_url_written_with_a_trailing_slash_still_loads_the_editor(workspace):
    """`--public-url https://lsc.example.com/` (as an address is usually written) put
    `https://lsc.example.com//static/...` and `wss://lsc.example.com//ws` in the page: every
    asset 404, and the editor never appeared."""
    srv = Served(workspace, "--public-url", "https://lsc.example.com/")
    try:
        code, _, page = _get(srv.base + "/")
    finally:
        srv.stop()
    assert code == 200
    assert "wss://lsc.example.com/ws" in page and "https://lsc.example.com/static/js/textual.js" in page
    assert "lsc.example.com//" not in page
    assert "lsc-tui serve: open https://lsc.example.com/\n" in srv.log.read_text()

