"""Scriptable subcommands: status, keys, check, token, login, run, switch, logout, completion.

No Textual on this path. `main` holds the command line and runs a subcommand; each
subcommand has its own module, imported only when it runs.
"""

from __future__ import annotations

from phguide.cli.main import add_subcommands, run_subcommand

__all__ = ["add_subcommands", "run_subcommand"]
