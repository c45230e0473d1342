"""TLS verification cannot be turned off, and no credential travels in a URL.

Redirects to another host are refused with credentials (tests/api/test_redirects.py), and
SSL_CERT_FILE is honoured against a real TLS server (tests/api/test_tls.py).
"""

from __future__ import annotations

import inspect
import re
import ssl
from pathlib import Path

import httpx
import pytest

import phguide
from phguide.api._transport import tls_context
from phguide.api.client import PostHogClient
from phguide.cli.parser import build_parser
from phguide.core.hosts import Host, parse_host
from phguide.core.secret import Secret
from phguide.demo import DEMO_EMAIL, DemoServer

SOURCE = Path(phguide.__file__).parent

_WAYS_TO_DISABLE = (
    "PYTHONHTTPSVERIFY",
    "CURL_CA_BUNDLE",
    "REQUESTS_CA_BUNDLE",
    "HTTPX_SSL_VERIFY",
    "SSL_NO_VERIFY",
    "PHGUIDE_INSECURE",
    "PHGUIDE_NO_VERIFY",
)


def _contexts(client: PostHogClient) -> list[ssl.SSLContext]:
    http = client._t._http
    transports = [http._transport, *(t for t in http._mounts.values() if t is not None)]
    contexts = []
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        context = getattr(pool, "_ssl_context", None)
        if context is not None:
            contexts.append(context)
    return contexts


@pytest.mark.parametrize("value", ["0", "", "false", "no"])
@pytest.mark.parametrize("variable", [None, *_WAYS_TO_DISABLE])
async def test_certificates_are_always_verified(
    monkeypatch: pytest.MonkeyPatch, variable: str | None, value: str
) -> None:
    # Each value is tried on its own: a loop setting "0" then "" would test only "".
    tls_context.cache_clear()
    if variable is not None:
        monkeypatch.setenv(variable, value)
    # A proxy from the environment gets its own transport: it must verify too.
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    async with PostHogClient(parse_host("https://posthog.example.com")) as client:
        contexts = _contexts(client)
        assert len(contexts) >= 2
        for context in contexts:
            assert context.verify_mode == ssl.CERT_REQUIRED
            assert context.check_hostname is True
        # Proxies and SSL_CERT_FILE come from the environment (a company CA is honoured).
        assert client._t._http.trust_env is True


@pytest.mark.parametrize(
    ("url", "reads_the_ca_bundle"),
    [("http://localhost:8000", False), ("https://posthog.example.com", True)],
)
async def test_a_plain_http_host_verifies_without_reading_the_ca_bundle(
    url: str, reads_the_ca_bundle: bool
) -> None:
    # Reading the bundle costs a returning user 20-60 ms on the way to the key, for nothing
    # when no TLS handshake can happen; the context still verifies, trusting no one.
    async with PostHogClient(parse_host(url)) as client:
        contexts = _contexts(client)
        assert contexts
        for context in contexts:
            assert context.verify_mode == ssl.CERT_REQUIRED
            assert context.check_hostname is True
            loaded = context.cert_store_stats()["x509_ca"]
            assert (loaded > 0) is reads_the_ca_bundle, loaded


def test_there_is_no_switch_to_turn_verification_off() -> None:
    parameters = set(inspect.signature(PostHogClient.__init__).parameters)
    assert not parameters & {"verify", "insecure", "ssl_context", "cert", "trust_env"}
    options = " ".join(
        option
        for action in build_parser()._actions
        for option in getattr(action, "option_strings", [])
    )
    assert not re.search(r"insecure|verify|no-tls|no-ssl|skip-tls", options), options
    offenders = []
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"verify\s*=\s*False|CERT_NONE|check_hostname\s*=\s*False", text):
            offenders.append(str(path.relative_to(SOURCE)))
    assert offenders == [], f"TLS checks switched off in {offenders}"


async def test_keys_and_cookies_go_in_headers_never_in_the_url(demo_server: DemoServer) -> None:
    sent: list[httpx.Request] = []

    class Spy(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(request)
            return await super().handle_async_request(request)

    key = demo_server.issue_key(DEMO_EMAIL)
    app = parse_host(demo_server.url)
    # The ingestion host is a different origin (another name for the same demo server), as on
    # PostHog Cloud: a key sent to /flags is then caught, not taken for the app host.
    port = app.app_url.rsplit(":", 1)[1]
    host = Host("self-hosted", app.app_url, f"http://localhost:{port}")
    async with PostHogClient(host, personal_key=Secret(key), transport=Spy()) as client:
        user = await client.me()
        await client.all_projects(user)
        await client.current_key()
        await client.check_project_key(user.team.api_token if user.team else "phc_x")
    assert sent
    to_ingestion = [r for r in sent if r.url.host == "localhost"]
    assert [r.url.path for r in to_ingestion] == ["/flags"]
    for request in sent:
        url = str(request.url)
        assert key not in url and "personal_api_key" not in request.url.query.decode(), url
        if request.url.host == "localhost":
            assert "authorization" not in request.headers, "a personal key went to /flags"
            assert "cookie" not in request.headers
        else:
            # Every call to the app host carries the key, as a header.
            assert request.headers.get("authorization") == f"Bearer {key}"
        body = request.content.decode()
        assert key not in body, f"the key in the body of {request.method} {request.url.path}"
