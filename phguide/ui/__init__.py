"""The interface: the Textual app, its steps (screens), widgets and dialogs.

Textual's debug log (`TEXTUAL_LOG`) records every message the app handles: each key typed (a
password, a code), each `Input.Changed` with its value, each paste. phguide keeps the log but
has Textual write it through `phguide.system.debug_log`, which takes every such value out
before the file. The devtools console gets the messages themselves, where nothing can be taken
out, so phguide turns it off. This runs before Textual reads its settings, once, on import.
"""

from __future__ import annotations

import os
import sys

_NO_LOG = "phguide: TEXTUAL_LOG is ignored: phguide cannot keep it private on this system."
_NO_DEVTOOLS = (
    "phguide: Textual's devtools console is turned off: it would receive every key typed, "
    "passwords and API keys included."
)


def _safe_debug_log() -> None:
    if "textual.constants" in sys.modules:
        return  # Textual has read its settings already (a test importing it first)
    stderr = sys.__stderr__
    path = os.environ.pop("TEXTUAL_LOG", None)
    if path:
        from phguide.system import debug_log

        through = debug_log.start(path)
        if through is not None:
            os.environ["TEXTUAL_LOG"] = through
        elif stderr is not None:
            print(_NO_LOG, file=stderr)
    features = [f for f in os.environ.get("TEXTUAL", "").split(",") if f.strip()]
    if "devtools" in (f.strip() for f in features):
        os.environ["TEXTUAL"] = ",".join(f for f in features if f.strip() != "devtools")
        if stderr is not None:
            print(_NO_DEVTOOLS, file=stderr)


_safe_debug_log()
