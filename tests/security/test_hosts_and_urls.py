"""Addresses: what the user types is parsed strictly, and a URL a server sends is opened only on
the host the user chose."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from phguide.api.client import PostHogClient
from phguide.api.errors import TransportError
from phguide.core.hosts import MAX_ADDRESS, HostError, is_loopback, parse_host, same_origin
from phguide.system import browser


@pytest.mark.parametrize(
    "text",
    [
        "https:/evil.com",
        "http:/127.0.0.1",
        "https:\\\\evil.com",
        "posthog\u200b.example.com",
        "https://post\u202ehog.example.com",
        "https://\ufeffposthog.example.com",
    ],
)
def test_malformed_and_invisible_addresses_are_refused(text: str) -> None:
    with pytest.raises(HostError) as refused:
        parse_host(text)
    assert str(refused.value)


@pytest.mark.parametrize(
    "text",
    ["https://" + "a" * 70_000 + ".example.com", "https://posthog.example.com/" + "p" * 5_000],
    ids=["70,000-character host name", "5,000-character path"],
)
def test_an_address_longer_than_any_posthog_is_refused_with_its_length(text: str) -> None:
    with pytest.raises(HostError) as refused:
        parse_host(text)
    assert f"{len(text):,} characters" in str(refused.value)


def test_an_address_at_the_length_limit_is_taken() -> None:
    text = "https://posthog.example.com/"
    text += "p" * (MAX_ADDRESS - len(text))
    assert parse_host(text).app_url == text


def test_an_idn_host_is_requested_as_punycode_and_shown_both_ways() -> None:
    host = parse_host("https://bücher.example")
    assert host.app_url == "https://xn--bcher-kva.example"
    assert host.label == "bücher.example (xn--bcher-kva.example)"
    assert parse_host("https://posthog.example.com").label == "posthog.example.com"


def test_dot_localhost_is_loopback_only_when_it_resolves_there(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import socket

    def resolve(name: str, *args: object) -> list[tuple[object, ...]]:
        table = {"evil.localhost": "203.0.113.5", "app.localhost": "127.0.0.1"}
        if name not in table:
            raise socket.gaierror("no such name")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (table[name], 0))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    assert not is_loopback("evil.localhost")
    assert not is_loopback("nowhere.localhost")
    assert is_loopback("app.localhost")
    assert is_loopback("localhost")
    with pytest.raises(HostError, match="https"):
        parse_host("http://evil.localhost:8000")
    assert parse_host("http://app.localhost:8000").app_url == "http://app.localhost:8000"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("http://127.0.0.1:8000/device?code=A", True),
        ("https://127.0.0.1:8000/device", False),
        ("http://127.0.0.1:8001/device", False),
        ("http://evil.example/device", False),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
        ("vscode://x/y", False),
        ("http://user@127.0.0.1:8000/", False),
        ("http://127.0.0.1:8000/\x1b]52;c;eA==\x07", False),
    ],
)
def test_same_origin(url: str, ok: bool) -> None:
    assert same_origin(url, "http://127.0.0.1:8000") is ok


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "vscode://x"])
def test_the_browser_launcher_never_gets_another_scheme(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import webbrowser

    opened: list[str] = []
    monkeypatch.setattr(browser, "can_open_browser", lambda *a: True)

    def open_page(url: str, new: int = 0) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(webbrowser, "open", open_page)
    assert browser.open_in_browser(url) is False
    assert opened == []
    assert browser.open_in_browser("https://us.posthog.com/x") is True
    assert opened == ["https://us.posthog.com/x"]


@contextmanager
def device_server(uri: str) -> Iterator[str]:
    """A server whose device-code answer points the user at `uri`."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.dumps(
                {
                    "device_code": "d",
                    "user_code": "ABCD-EFGH",
                    "verification_uri": uri.replace("{origin}", origin),
                    "verification_uri_complete": uri.replace("{origin}", origin) + "?code=x",
                    "expires_in": 600,
                    "interval": 5,
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield origin
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "uri",
    [
        "file:///etc/passwd",
        "javascript:alert(document.cookie)",
        "vscode://evil/x",
        "https://evil.example/device",
        "{origin}.evil.example/device",
    ],
)
async def test_a_device_flow_url_off_the_chosen_host_is_never_handed_out(uri: str) -> None:
    with device_server(uri) as origin:
        async with PostHogClient(parse_host(origin)) as client:
            with pytest.raises(TransportError) as refused:
                await client.start_device_flow()
    assert refused.value.code == "foreign_url"
    assert "phguide does not open it" in refused.value.message
    assert "\x1b" not in refused.value.message


async def test_a_device_flow_url_on_the_chosen_host_is_used() -> None:
    with device_server("{origin}/device") as origin:
        async with PostHogClient(parse_host(origin)) as client:
            code = await client.start_device_flow()
    assert code.browser_url.startswith(f"{origin}/device?code=x")
