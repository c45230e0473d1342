"""An answer read within phguide's limit, then decoded as the caller expects.

Part of the transport: imported (with httpx) only when a client is built.
"""

from __future__ import annotations

import json as jsonlib
from typing import Any, Final, Literal

import httpx

from phguide.api._network_errors import server_name
from phguide.api.errors import TransportError, bad_answer

Expect = Literal["json", "text", "none"]
"""How to read an answer's body: JSON, JSON and its text, or not at all."""

MAX_ANSWER_BYTES: Final = 8 * 1024 * 1024
"""The largest answer phguide reads: far above any real PostHog answer (a page of 100 projects
is well under 1 MB), small enough that a hostile server cannot fill the memory."""


async def read_capped(
    http: httpx.AsyncClient, request: httpx.Request, url: str, max_answer: int
) -> httpx.Response:
    """Send one request (to `url`) and read at most `max_answer` bytes of its answer.

    Raises:
        TransportError: The answer is larger than the limit (code `too_large`).
    """
    response = await http.send(request, stream=True)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_answer:
                raise TransportError(
                    f"The server at {server_name(url)} sent an answer larger than "
                    f"{max_answer // (1024 * 1024)} MB, phguide's limit for one answer.",
                    "Check that the address points at PostHog itself: no PostHog answer "
                    "is that large.",
                    code="too_large",
                    status=response.status_code,
                )
            chunks.append(chunk)
    finally:
        await response.aclose()
    # The body was read (and decompressed) above within the limit; the response keeps it
    # as if read at once, without the encoding that was already undone.
    kept = httpx.Headers(
        [
            (name, value)
            for name, value in response.headers.multi_items()
            if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
    )
    return httpx.Response(
        response.status_code,
        headers=kept,
        content=b"".join(chunks),
        request=request,
        extensions={"http_version": response.http_version.encode()},
    )


def decode(response: httpx.Response, expect: Expect) -> tuple[Any, str]:
    """The parsed JSON body (None when empty, or not JSON on an error) and the text if asked.

    Raises:
        PostHogError: A success that is not the JSON expected (`bad_answer`).
    """
    text = response.text if expect == "text" else ""
    if expect == "none" or not response.content.strip():
        return None, text
    try:
        return jsonlib.loads(response.content), text
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: JSON nested deeper than Python's stack (a hostile or broken answer).
        if response.status_code < 400 and expect == "json":
            raise bad_answer(response.status_code) from None
        return None, text
