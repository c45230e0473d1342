"""Scriptable subcommands: status, keys, check, token, login, run, switch, logout, completion.

No Textual on this path. `parser` holds the command line (light: `--help` imports nothing
else), `main` runs a subcommand; each subcommand has its own module, imported only when it runs.
"""
