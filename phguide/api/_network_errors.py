"""A network failure in words: what happened and what to try, never a traceback.

Part of the transport: imported (with httpx) only when a client is built.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx

from phguide.api.errors import TransportError, bad_answer


def server_name(url: str) -> str:
    """The host (and port) of a URL, for messages."""
    return urlsplit(url).netloc or url


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and everything it was raised from (httpx wraps httpcore wraps OSError)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def transport_error(error: httpx.HTTPError, url: str, timeout: float) -> TransportError:
    """Explain a network failure: what happened and what to try, without a traceback.

    Args:
        error: What httpx raised.
        url: The URL of the request (it never holds a secret).
        timeout: The client's timeout in seconds, for the message.

    Returns:
        The error to raise.
    """
    server = server_name(url)
    causes = list(_chain(error))
    text = " ".join(str(cause) for cause in causes)

    def found(kind: type[BaseException]) -> bool:
        return any(isinstance(cause, kind) for cause in causes)

    if isinstance(error, httpx.ProxyError):
        return TransportError(
            f"The proxy refused to connect phguide to {server}.",
            "Check the HTTPS_PROXY / HTTP_PROXY / NO_PROXY settings in your environment.",
            code="proxy",
        )
    if found(ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in text:
        return TransportError(
            f"phguide could not verify the TLS certificate of {server}.",
            "If your network or company uses its own certificate authority, point SSL_CERT_FILE "
            "at its CA bundle (a PEM file) and try again. phguide never turns TLS checks off.",
            code="tls",
        )
    if found(ssl.SSLError) or "[SSL" in text:
        return TransportError(
            f"The secure (TLS) connection to {server} failed.",
            "Check that the address uses the right scheme and port (https:// for TLS). Behind a "
            "proxy that inspects TLS, point SSL_CERT_FILE at its CA bundle (a PEM file).",
            code="tls",
        )
    if isinstance(error, httpx.TimeoutException):
        if isinstance(error, httpx.ConnectTimeout | httpx.PoolTimeout):
            message = f"phguide could not connect to {server} within {timeout:g} seconds."
        else:
            message = f"The server at {server} did not answer within {timeout:g} seconds."
        return TransportError(
            message,
            "Check your connection and any proxy or firewall, then try again.",
            code="timeout",
        )
    if found(socket.gaierror) or any(
        marker in text
        for marker in (
            "Name or service not known",
            "nodename nor servname",
            "getaddrinfo failed",
            "Temporary failure in name resolution",
            "No address associated",
        )
    ):
        return TransportError(
            f"phguide could not find the server {server} (the name did not resolve).",
            "Check the address for typos, and that you are online.",
            code="dns",
        )
    if found(ConnectionRefusedError) or "Connection refused" in text or "[Errno 111]" in text:
        return TransportError(
            f"The server at {server} refused the connection.",
            "Check the address and port, and that PostHog is running there.",
            code="refused",
        )
    if isinstance(error, httpx.ConnectError):
        return TransportError(
            f"phguide could not connect to {server}.",
            "Check the address, your connection, and any proxy or firewall.",
            code="connect",
        )
    if isinstance(error, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return TransportError(
            f"The connection to {server} was dropped before the answer was complete.",
            "Try again. If it keeps happening, a proxy or firewall may be cutting connections.",
            code="dropped",
        )
    if isinstance(error, httpx.DecodingError):
        return bad_answer()
    return TransportError(
        f"The request to {server} failed.",
        "Check the address, your connection and any proxy, then try again.",
        code="network",
    )
