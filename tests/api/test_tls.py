"""TLS: verification is always on, failures say what to do, and SSL_CERT_FILE is honoured.

A real TLS server on loopback with a self-signed certificate (made by `openssl`), so the
failure is the one a company proxy or a private CA really produces.
"""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from phguide.api.client import PostHogClient
from phguide.api.errors import TransportError
from phguide.core.hosts import parse_host
from phguide.demo import DemoServer
from phguide.demo.data import DEMO_EMAIL
from tests.integration.conftest import missing


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        missing("openssl (to make a self-signed certificate)")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", "2",
            "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[str]:
    cert, key = certificate

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.dumps({"sso_enforcement": None, "saml_available": False}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    # The handshake happens in the request's thread, so a client that gives up mid-handshake
    # cannot stall the accept loop (and the fixture's shutdown).
    server.socket = context.wrap_socket(
        server.socket, server_side=True, do_handshake_on_connect=False
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_untrusted_certificate_is_refused_with_a_fix(
    tls_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    async with PostHogClient(parse_host(tls_server)) as client:
        with pytest.raises(TransportError) as caught:
            await client.precheck(DEMO_EMAIL)
    error = caught.value
    assert error.code == "tls"
    assert error.message == (
        f"phguide could not verify the TLS certificate of {tls_server.removeprefix('https://')}."
    )
    assert "SSL_CERT_FILE" in error.fix and "CA bundle" in error.fix


async def test_ssl_cert_file_from_the_environment_is_trusted(
    tls_server: str, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    async with PostHogClient(parse_host(tls_server)) as client:
        result = await client.precheck(DEMO_EMAIL)
    assert result.sso_enforcement is None


async def test_https_to_a_plain_http_server(demo_server: DemoServer) -> None:
    url = f"https://127.0.0.1:{demo_server.port}"
    async with PostHogClient(parse_host(url), retries=0) as client:
        with pytest.raises(TransportError) as caught:
            await client.precheck(DEMO_EMAIL)
    assert caught.value.code == "tls"
    assert "TLS" in caught.value.message
