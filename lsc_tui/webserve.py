"""``lsc-tui serve``: the editor in a browser (textual-serve), behind an access check.

textual-serve starts one editor process per browser tab and relays its terminal over a
websocket; it has no access control of its own. This module puts one in front of it, as an
aiohttp middleware on every route (the page, the websocket, static files, downloads):

- **token**: when one is set (required for a bind that is not loopback), a request must carry
  it: ``?token=...`` on the first page load (answered with a redirect that drops it from the
  address bar and sets an HttpOnly, SameSite=Strict cookie), then the cookie, or an
  ``Authorization: Bearer ...`` header. Compared in constant time.
- **origin**: the websocket accepts only a browser page served by this server (its ``Origin``
  must name the host the request was sent to), so another web site open in the same browser
  cannot drive the editor, token or not.
- **host**: on a loopback bind, the ``Host`` header must be a loopback name (no DNS rebinding).
"""

from __future__ import annotations

import asyncio
import errno
import hmac
import ipaddress
import logging
import os
import re
import secrets
import shlex
import socket
import sys
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import aiohttp_jinja2
from aiohttp import web
from textual_serve.server import Server

COOKIE = "lsc_tui_token"  # the sign-in cookie's name, followed by the server's port
TOKEN_ENV = "LSC_TUI_SERVE_TOKEN"
MIN_TOKEN = 16
SHUTDOWN_GRACE = 3.0  # seconds the tabs' editors get to quit when the server stops
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class ServeError(Exception):
    """A refusal to start; the message says how to fix it."""


def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> str | None:
    """The token to enforce (None: none); ServeError when the bind is not allowed."""
    if token == "auto":
        token = secrets.token_urlsafe(24)
    if token is not None and len(token) < MIN_TOKEN:
        raise ServeError(
            f"the token is too short ({len(token)} characters): use at least {MIN_TOKEN} random "
            "characters, or --token auto for a generated one"
        )
    if token is None and not is_loopback(host):
        raise ServeError(
            f"refusing to serve on {host} without a token: anyone who can reach the port could edit "
            f"your config. Pass --token TOKEN (or set {TOKEN_ENV}), or --token auto, or bind "
            "127.0.0.1 and reach it through an SSH tunnel (see docs/serve.md)."
        )
    return token


def check_port(host: str, port: int) -> None:
    """ServeError when nothing can listen on ``host:port`` (in use, an address of no interface
    here, a privileged port): said before the address to open is printed. The socket is closed
    at once; the server binds again with the same options (address reuse), so a port left in
    TIME_WAIT passes."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, _type, _proto, _name, address = infos[0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        reason = "the port is in use by another program" if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc)
        raise ServeError(
            f"cannot listen on {host}:{port}: {reason}. Choose another port with --port, or stop what holds it"
        ) from None


def addresses(host: str, port: int, public_url: str | None = None) -> list[str]:
    """The addresses to tell the operator to open. A bind to every interface (``0.0.0.0``,
    ``::``) is no address a browser elsewhere can use: this host's name instead, then the
    loopback address for a browser on this host."""
    if public_url:
        return [public_url.rstrip("/")]
    if host in ("0.0.0.0", "::", ""):
        loopback = "127.0.0.1" if host == "0.0.0.0" else "[::1]"
        names = [n for n in (socket.getfqdn(), socket.gethostname()) if n and not is_loopback(n)]
        named = [f"http://{names[0]}:{port}"] if names else []
        return named + [f"http://{loopback}:{port}"]
    return [f"http://{'[' + host + ']' if ':' in host else host}:{port}"]


def editor_command(path: Path, extra: list[str] | None = None) -> str:
    """The shell command textual-serve runs for each browser tab: this Python's editor, in place
    of the shell (``exec``: the server is its parent), ending when this server process ends
    (``lsc_tui.servetab``)."""
    words = [sys.executable, "-m", "lsc_tui.servetab", str(os.getpid()), str(path), *(extra or [])]
    return "exec " + " ".join(shlex.quote(w) for w in words)


def _host_of(value: str) -> str:
    """``host`` of a ``host:port`` (IPv6 in brackets kept whole)."""
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def cookie_name(port: int) -> str:
    """One cookie per server: a browser keeps cookies per host, not per port, so two servers
    on one host would otherwise overwrite each other's sign-in."""
    return f"{COOKIE}_{port}"


def access_middleware(token: str | None, loopback: bool, port: int):
    cookie = cookie_name(port)

    def given(request) -> str | None:
        auth = request.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip()
        return request.query.get("token") or request.cookies.get(cookie)

    @web.middleware
    async def check(request, handler):
        host = request.headers.get("Host", "")
        if loopback and not is_loopback(_host_of(host)):
            raise web.HTTPForbidden(text="lsc-tui serve: this server answers only to a loopback host name\n")
        if request.path == "/ws":
            origin = request.headers.get("Origin")
            if origin is not None and urlsplit(origin).netloc != host:
                raise web.HTTPForbidden(text="lsc-tui serve: websocket from another site refused\n")
        if token is not None:
            value = given(request)
            if value is None or not hmac.compare_digest(value.encode("utf-8"), token.encode("utf-8")):
                raise web.HTTPUnauthorized(
                    text="lsc-tui serve: open the address with ?token=YOUR_TOKEN (see docs/serve.md)\n"
                )
            if request.path == "/" and "token" in request.query:
                rest = {k: v for k, v in request.query.items() if k != "token"}
                redirect = web.HTTPSeeOther("/" + (f"?{urlencode(rest)}" if rest else ""))
                redirect.set_cookie(cookie, token, httponly=True, samesite="Strict", path="/")
                raise redirect
        return await handler(request)

    return check


class _HideToken(logging.Filter):
    """A logging filter: the access log names ``?token=...`` requests without the token."""

    pattern = re.compile(r"(token=)[^&\s\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if "token=" in text:
            record.msg, record.args = self.pattern.sub(r"\1***", text), None
        return True


def build_server(
    path: Path, host: str, port: int, token: str | None, public_url: str | None = None, extra: list[str] | None = None
):
    """A textual-serve Server for the editor on ``path`` with the access check in front."""

    loopback = is_loopback(host)
    if public_url:  # the page appends "/static/...", "/ws": no "//" from an address written with a final slash
        public_url = public_url.rstrip("/")
    access = logging.getLogger("aiohttp.access")
    if not any(isinstance(f, _HideToken) for f in access.filters):
        access.addFilter(_HideToken())

    tabs: set[asyncio.Task] = set()  # the websocket handlers: one per open tab

    class EditorServer(Server):
        async def _make_app(self):
            app = await super()._make_app()
            app.middlewares.append(access_middleware(token, loopback, port))
            return app

        async def handle_websocket(self, request):
            task = asyncio.current_task()
            tabs.add(task)
            try:
                return await super().handle_websocket(request)
            finally:
                tabs.discard(task)

        async def on_shutdown(self, app):
            # Ctrl+C or SIGTERM: each tab's editor is told to quit now, as when its tab closes
            # (textual-serve does that when its handler is cancelled), instead of after aiohttp's
            # 60 s grace period for open connections. An editor that does not quit in time is
            # ended with the server (lsc_tui.servetab).
            for task in tabs:
                task.cancel()
            if tabs:
                await asyncio.wait(set(tabs), timeout=SHUTDOWN_GRACE)

        @aiohttp_jinja2.template("app_index.html")
        async def handle_index(self, request):
            # the page's websocket and static URLs: where the browser reached us, unless told
            if public_url is None:
                self.public_url = f"{request.scheme}://{request.host}"
            return await Server.handle_index.__wrapped__(self, request)

    return EditorServer(
        editor_command(path, extra), host=host, port=port, title=f"lsc-tui {path.name}", public_url=public_url
    )
