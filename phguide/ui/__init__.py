"""The interface: the Textual app, its steps (screens), widgets and dialogs.

Textual's debug log (`TEXTUAL_LOG`, and the devtools console) records every message the app
handles: each key typed (a password, a pasted key) and each `Input.Changed` with its value.
phguide types secrets, so the log is left off unless the person running it asks for it
knowingly with `PHGUIDE_TEXTUAL_LOG=1` (a developer on a test account). This runs before
Textual reads its settings, which it does once, on import.
"""

from __future__ import annotations

import os
import sys

_IGNORED = (
    "phguide: TEXTUAL_LOG is ignored: Textual's log records every key typed, passwords and "
    "API keys included (set PHGUIDE_TEXTUAL_LOG=1 to keep it, on a test account only)."
)

if os.environ.get("PHGUIDE_TEXTUAL_LOG") != "1" and "textual.constants" not in sys.modules:
    if os.environ.pop("TEXTUAL_LOG", None) is not None and sys.__stderr__ is not None:
        print(_IGNORED, file=sys.__stderr__)
    features = [f for f in os.environ.get("TEXTUAL", "").split(",") if f.strip() != "devtools"]
    if "TEXTUAL" in os.environ:
        os.environ["TEXTUAL"] = ",".join(features)
