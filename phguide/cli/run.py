"""`phguide run -- CMD`: hand the key to one command, in its environment only."""

from __future__ import annotations

import os
import signal
import subprocess
from typing import TYPE_CHECKING, Final

from phguide.cli.context import SIGN_IN_FIX, Context
from phguide.cli.output import EXIT_NO_KEY, EXIT_USAGE, CliError
from phguide.core.sources import environment_project

if TYPE_CHECKING:
    from phguide.api.models import Project
    from phguide.core.hosts import Host
    from phguide.core.secret import Secret

__all__ = ["run"]

EXIT_NOT_FOUND: Final = 127
"""What a shell answers for a command that does not exist."""
EXIT_NOT_EXECUTABLE: Final = 126
"""What a shell answers for a file it may not run."""


def run(context: Context) -> int:
    """Run CMD with the key and host in its environment; return CMD's exit status."""
    args = context.args
    command = list(args.cmd)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        raise CliError(
            "Name the command to run after --.",
            "For example: phguide run -- python manage.py sync",
            EXIT_USAGE,
        )
    host, _ = context.host()
    found, why_none = context.key_for(host)
    if found is None:
        raise CliError(
            f"No personal API key for {host.label}. {why_none}", SIGN_IN_FIX, EXIT_NO_KEY
        )
    child = dict(context.environ)
    child.update(
        POSTHOG_PERSONAL_API_KEY=found.key.reveal(),
        POSTHOG_HOST=host.app_url,
        POSTHOG_API_HOST=host.ingest_url,
    )
    project_id = args.project
    if project_id is None:
        from_env = environment_project(context.environ)
        project_id = None if from_env is None else from_env.value
    if project_id is not None:
        import asyncio  # only here: `run` without a project starts without it

        project = asyncio.run(_project(context, host, found.key, project_id))
        child.update(POSTHOG_PROJECT_ID=str(project.id), POSTHOG_PROJECT_API_KEY=project.api_token)
    return _run(command, child, context)


async def _project(context: Context, host: Host, key: Secret, project_id: str) -> Project:
    async with context.client_factory(host, key) as client:
        return await client.project(int(project_id) if project_id.isdigit() else project_id)


def _run(command: list[str], env: dict[str, str], context: Context) -> int:
    """Run the command as a shell would: its status, 127 when missing, 128+N on signal N."""
    try:
        process = subprocess.Popen(command, env=env)
    except FileNotFoundError:
        context.io.report(f"{command[0]}: command not found.")
        return EXIT_NOT_FOUND
    except PermissionError:
        context.io.report(f"{command[0]}: permission denied (not an executable file).")
        return EXIT_NOT_EXECUTABLE
    except OSError as error:
        context.io.report(f"{command[0]}: {error.strerror or error}.")
        return EXIT_NOT_EXECUTABLE
    # Ctrl+C reaches the command too (same process group): wait for it to decide.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if _main_thread() else None
    try:
        status = process.wait()
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    return 128 - status if status < 0 else status


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread() and os.name == "posix"
