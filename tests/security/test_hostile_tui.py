"""The TUI against the demo in hostile mode, on a real pty: every step and dialog, raw bytes.

Names, labels and user names carry OSC 52 / OSC 0 / CSI 2J escapes, bidi overrides and markup
(`[ @click=app.quit]`, `[@click=app.screenshot(...)]`, `[EU]`, `[$accent]`, `[/]`). phguide
must draw them as text: no OSC 52 or OSC 0 in the stream, no screen clear beyond the app's
own, each markup form visible literally, clicks and hovers over them doing nothing, no crash.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.content import Content

from phguide.demo import DEMO_EMAIL, DemoServer
from phguide.demo.data import demo_data
from phguide.demo.hostile import MARKUP, make_hostile
from phguide.ui.safe import content, escape
from tests.security.pty_run import PtyApp, visible

COLUMNS, LINES = 130, 45


def _sweep_mouse() -> bytes:
    """Hover over every other cell, then click down the content area (SGR mouse reports)."""
    moves = b"".join(
        b"\x1b[<35;%d;%dM" % (x, y) for y in range(3, LINES - 2) for x in range(1, COLUMNS, 6)
    )
    clicks = b"".join(
        b"\x1b[<0;%d;%dM\x1b[<0;%d;%dm" % (x, y, x, y)
        for y in range(8, LINES - 3, 2)
        for x in (6, 30, 60)
    )
    return moves + clicks


@pytest.mark.timeout(300)
def test_every_step_and_dialog_shows_hostile_names_as_text(tmp_path: Path) -> None:
    server = DemoServer(make_hostile(demo_data())).start()
    try:
        key = server.issue_key(DEMO_EMAIL, "Key [ @click=app.quit]x[/] \x1b]0;pwned\x07", ["*"])
        with PtyApp(
            ["-m", "phguide", "--host", server.url],
            {
                "HOME": str(tmp_path),
                "XDG_CONFIG_HOME": str(tmp_path / "config"),
                "POSTHOG_PERSONAL_API_KEY": key,
                "PWD": str(tmp_path),
            },
            columns=COLUMNS,
            lines=LINES,
        ) as app:
            app.read_for(30, until=b"Log in")
            app.send(b"2", settle=2)
            app.send(b"e", settle=2, until=b"Signed in")
            # The project list first, waiting for it on a loaded machine, then every step. A
            # personal key cannot list personal keys (the contract): step 4 says so, with the
            # key's label. The create, roll and delete dialogs over hostile names are walked in
            # test_hostile_dialogs.py, signed in with a password.
            app.send(b"3", settle=3, until=b"Acme [EU] Corp")
            app.send(b"4", settle=3, until=b"cannot be listed with this sign-in")
            for step in (b"3", b"4", b"5", b"6", b"1", b"3"):
                app.send(step, settle=3)
                app.send(_sweep_mouse(), settle=2)
                assert app.process.poll() is None, "a click or hover on a name ended the app"
            app.send(b"\x11", settle=2)  # Ctrl+Q
            app.finish()
    finally:
        server.stop()
    output = bytes(app.output)
    text = visible(output)
    assert b"\x1b]52" not in output, "an OSC 52 clipboard write reached the terminal"
    assert b"\x1b]0;pwned" not in output and b"\x1b]2;pwned" not in output
    assert output.count(b"\x1b[2J") <= 2, "a screen clear the app did not mean"
    assert b"Traceback" not in text and b"MarkupError" not in text
    assert b"unexpected" not in text.lower()
    # The markup forms are drawn literally (names are cut to the column, so the opening
    # form, which comes first in each name, is what must show).
    for form in ("[ @click=app.quit]Quit[/]", "Acme [EU] Corp", "[$accent]accent"):
        assert form.encode() in text, f"{form!r} was not shown literally"
    assert b"\\x1b]52;c;cHduZWQ=" in text, "the escape was not shown as visible text"
    # 8-bit C1 controls (CSI, OSC, ST as UTF-8): none raw, the names' ones shown as escapes.
    for c1 in ("\x9b", "\x9c", "\x9d"):
        assert c1.encode() not in output, f"a raw C1 control {c1!r} reached the terminal"
    assert b"\\x9b2J\\x9d0;c1-title" in text, "the C1 escape was not shown as visible text"
    assert not (tmp_path / "victim.rc").exists() and not Path("/tmp/victim.rc").exists()


@pytest.mark.parametrize("text", [*MARKUP, "a\\[b]", "x\\", "[b]x[/b]\\"])
def test_escaped_server_text_reads_back_literally_inside_phguides_markup(text: str) -> None:
    shown = Content.from_markup(f"[b]{escape(text)}[/b] then [i]{escape(text)}[/i]").plain
    assert shown.replace("\u200b", "") == f"{text} then {text}"
    assert content("[b]$name[/b] and $name", name=text).plain == f"{text} and {text}"
