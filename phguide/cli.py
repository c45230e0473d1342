"""Scriptable subcommands: status, keys, check, logout (placeholder until issue 4 lands)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_subcommands(sub: Any) -> None:
    """Register the subcommands on an argparse sub-parser collection."""
    for name, help_text in (
        ("status", "who you are signed in as, where, with which key, and whether it works"),
        ("keys", "list the project API keys your personal key can see"),
        ("check", "read a key from standard input and say what it is and whether it works"),
        ("logout", "forget the secrets stored for a host"),
    ):
        command = sub.add_parser(name, help=help_text)
        command.add_argument("--host", metavar="HOST", default=argparse.SUPPRESS, help="us, eu, or a URL")


def run_subcommand(args: argparse.Namespace) -> int:
    """Run one subcommand; returns its exit status."""
    print(f"phguide {args.command}: not available yet", file=sys.stderr)
    return 2
