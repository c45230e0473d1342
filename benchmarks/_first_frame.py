"""Benchmark-only entry point: `phguide` (no arguments), headless, exiting after its first frame.

It runs the real entry path, `phguide.__main__.main([])`, with two patches that live here and
not in the product: the app runs headless, and the first step screen exits once painted. They
go in when `run_app` asks the factory for its services, so that everything is imported in the
product's own order (Textual after the collector is paused). At that
moment it writes the monotonic time and the heavy packages already imported to the file named by
`PHGUIDE_BENCH_REPORT` (stdout belongs to Textual while the app runs). With `--keep-gc`,
phguide's pause of the garbage collector during the start is undone (for comparison).
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from typing import Any

HEAVY = ("httpx", "httpcore", "keyring", "pyperclip", "secretstorage", "jeepney")
"""Packages the first frame must not wait for."""


def main() -> int:
    """Run phguide until its first frame."""
    report = os.environ["PHGUIDE_BENCH_REPORT"]
    if "--keep-gc" in sys.argv:
        # For comparison only: the start as it would be without pausing the collector.
        gc.disable = lambda: None
    # Nothing heavy is imported here: `run_app` imports Textual itself (after pausing the
    # collector). The patches go in when it asks the factory for its services, just before.
    import phguide.__main__ as entry
    import phguide.factory

    build_services = phguide.factory.build_services

    def patched_build_services(*args: Any, **kwargs: Any) -> Any:
        services = build_services(*args, **kwargs)
        _patch(report)
        return services

    phguide.factory.build_services = patched_build_services
    return entry.main([])


def _patch(report: str) -> None:
    """Run the app headless, and exit once the first step screen has been painted."""
    from phguide.ui.app import PhGuideApp
    from phguide.ui.screens.base import StepScreen

    real_run = PhGuideApp.run
    real_resume = StepScreen.on_screen_resume

    def run(self: PhGuideApp, *args: Any, **kwargs: Any) -> Any:
        kwargs["headless"] = True
        return real_run(self, *args, **kwargs)

    def on_screen_resume(self: StepScreen) -> None:
        real_resume(self)
        if getattr(self.app, "_bench_exiting", False):
            return
        self.app._bench_exiting = True  # type: ignore[attr-defined]
        self.call_after_refresh(first_frame, self)

    def first_frame(screen: StepScreen) -> None:
        heavy = sorted(name for name in sys.modules if name.split(".")[0] in HEAVY)
        with open(report, "w") as file:
            json.dump(
                {"at": time.monotonic(), "screen": type(screen).__name__, "heavy": heavy}, file
            )
        screen.app.exit()

    PhGuideApp.run = run  # type: ignore[method-assign, assignment]
    StepScreen.on_screen_resume = on_screen_resume  # type: ignore[method-assign]


if __name__ == "__main__":
    sys.exit(main())
