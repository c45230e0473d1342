"""The guide's "Using your API keys" examples, filled in with the user's key, project and host."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Final, Literal

from phguide.core.hosts import US_CLOUD, Host
from phguide.core.secret import Secret

__all__ = [
    "HOST_VARIABLE",
    "PERSONAL_KEY_PLACEHOLDER",
    "PERSONAL_KEY_VARIABLE",
    "PROJECT_ID_PLACEHOLDER",
    "PROJECT_KEY_PLACEHOLDER",
    "PROJECT_KEY_VARIABLE",
    "Snippet",
    "SnippetContext",
    "build_snippets",
    "env_values",
]

PROJECT_KEY_PLACEHOLDER: Final = "phc_YourProjectAPIKeyHere"
"""What the guide writes where the project key goes."""
PERSONAL_KEY_PLACEHOLDER: Final = "phx_YourPersonalAPIKeyHere"
"""Where the personal key goes when phguide does not have one."""
PROJECT_ID_PLACEHOLDER: Final = "YOUR_PROJECT_ID"
"""Where the project id goes when no project is selected."""

PROJECT_KEY_VARIABLE: Final = "POSTHOG_PROJECT_API_KEY"
PERSONAL_KEY_VARIABLE: Final = "POSTHOG_PERSONAL_API_KEY"
HOST_VARIABLE: Final = "POSTHOG_HOST"

SnippetId = Literal["javascript", "python", "server", "curl", "shell", "dotenv"]
Language = Literal["javascript", "python", "bash", "dotenv"]


@dataclass(frozen=True)
class SnippetContext:
    """What the examples are filled in with; None for what phguide does not know yet."""

    host: Host | None = None
    """The user's PostHog (US Cloud when unknown)."""
    project_token: str | None = None
    """The selected project's API key (`phc_…`)."""
    project_id: int | None = None
    project_name: str | None = None
    personal_key: Secret | None = None
    """The personal key phguide holds, if any: shown masked, copied whole."""

    @property
    def chosen_host(self) -> Host:
        """The host the examples point at."""
        return self.host or US_CLOUD

    @property
    def placeholders(self) -> list[str]:
        """The placeholders left in the examples, for the "how to fill them in" note."""
        left = []
        if self.project_token is None:
            left.append(PROJECT_KEY_PLACEHOLDER)
        if self.project_id is None:
            left.append(PROJECT_ID_PLACEHOLDER)
        if self.personal_key is None:
            left.append(PERSONAL_KEY_PLACEHOLDER)
        return left


@dataclass(frozen=True)
class Snippet:
    """One example, ready to show and to copy."""

    id: SnippetId
    title: str
    language: Language
    text: str
    """What the screen shows: a personal key in it is masked."""
    note: str
    """One or two sentences on where this goes and what to watch out for."""
    full: Secret | None = None
    """The text with the personal key whole, when it holds one (so it never reaches a repr)."""

    @property
    def secret(self) -> bool:
        """True when copying this snippet puts a personal key on the clipboard."""
        return self.full is not None

    def shown(self, *, reveal: bool = False) -> str:
        """The text to display; `reveal` shows the personal key in it."""
        return self.full.reveal() if reveal and self.full is not None else self.text

    def copy_value(self) -> str:
        """The text to put on the clipboard (the whole key, when it holds one)."""
        return self.full.reveal() if self.full is not None else self.text


def _js(value: str) -> str:
    # JSON strings are valid JavaScript strings; single quotes match the guide's style.
    inner = json.dumps(value)[1:-1].replace("'", "\\'")
    return f"'{inner}'"


def _py(value: str) -> str:
    return repr(value)


def _sh(value: str) -> str:
    return shlex.quote(value)


def _env(value: str) -> str:
    from phguide.core.dotenv import format_value

    return format_value(value)


def env_values(context: SnippetContext) -> dict[str, str]:
    """The variables a `.env` file gets: only the real values phguide knows, never placeholders.

    Args:
        context: What phguide knows.

    Returns:
        Variable name to plain value (the personal key included, when phguide holds one).
    """
    values: dict[str, str] = {}
    if context.project_token is not None:
        values[PROJECT_KEY_VARIABLE] = context.project_token
        values[HOST_VARIABLE] = context.chosen_host.ingest_url
    if context.personal_key is not None:
        values[PERSONAL_KEY_VARIABLE] = context.personal_key.reveal()
        values.setdefault(HOST_VARIABLE, context.chosen_host.ingest_url)
    return values


def build_snippets(context: SnippetContext) -> list[Snippet]:
    """The guide's examples, with placeholders where phguide does not know the value.

    Args:
        context: The key, project and host to fill in.

    Returns:
        JavaScript, Python, server-side (Node), curl, shell `export` and `.env` examples.
    """
    host = context.chosen_host
    token = context.project_token or PROJECT_KEY_PLACEHOLDER
    project = str(context.project_id) if context.project_id is not None else PROJECT_ID_PLACEHOLDER
    api_url = f"{host.app_url}/api/projects/{project}/"
    personal = context.personal_key
    shown_key = personal.masked if personal is not None else PERSONAL_KEY_PLACEHOLDER

    javascript = (
        "import posthog from 'posthog-js'\n"
        "\n"
        f"posthog.init({_js(token)}, {{\n"
        f"    api_host: {_js(host.ingest_url)},\n"
        "})"
    )
    python = (
        "from posthog import Posthog\n"
        "\n"
        "posthog = Posthog(\n"
        f"    project_api_key={_py(token)},\n"
        f"    host={_py(host.ingest_url)},\n"
        ")\n"
        "posthog.capture('user-123', 'signed_up')"
    )
    server = (
        "// Store in an environment variable: never in code or in git\n"
        f"const POSTHOG_PERSONAL_API_KEY = process.env.{PERSONAL_KEY_VARIABLE};\n"
        "\n"
        f"const response = await fetch({_js(api_url)}, {{\n"
        "    headers: { Authorization: `Bearer ${POSTHOG_PERSONAL_API_KEY}` },\n"
        "});\n"
        "const project = await response.json();"
    )
    curl = f'curl -H "Authorization: Bearer ${PERSONAL_KEY_VARIABLE}" \\\n    {_sh(api_url)}'

    def shell_lines(key: str) -> str:
        # The leading space keeps the line out of bash and zsh history when they are set to.
        return (
            f" export {PERSONAL_KEY_VARIABLE}={_sh(key)}\n"
            f"export {HOST_VARIABLE}={_sh(host.ingest_url)}"
        )

    def env_lines(key: str) -> str:
        return (
            f"{PROJECT_KEY_VARIABLE}={_env(token)}\n"
            f"{HOST_VARIABLE}={_env(host.ingest_url)}\n"
            f"{PERSONAL_KEY_VARIABLE}={_env(key)}"
        )

    secret_shell = Secret(shell_lines(personal.reveal())) if personal is not None else None
    secret_env = Secret(env_lines(personal.reveal())) if personal is not None else None
    where = host.label
    return [
        Snippet(
            "javascript",
            "Client-side (JavaScript)",
            "javascript",
            javascript,
            f"The project API key is public: safe in frontend code. api_host is {where}'s "
            "ingestion address.",
        ),
        Snippet(
            "python",
            "Python SDK",
            "python",
            python,
            "pip install posthog. The same project key and ingestion host as the browser.",
        ),
        Snippet(
            "server",
            "Server-side (Node.js)",
            "javascript",
            server,
            "The personal API key is read from the environment: it never appears in the code.",
        ),
        Snippet(
            "curl",
            "Try the API from a shell",
            "bash",
            curl,
            f"Run after the export line below. The private API lives on {host.app_url}, "
            "not on the ingestion host.",
        ),
        Snippet(
            "shell",
            "Shell: export",
            "bash",
            shell_lines(shown_key),
            "Secret. The leading space keeps the line out of your shell history "
            "(bash: HISTCONTROL=ignorespace; zsh: setopt HIST_IGNORE_SPACE).",
            secret_shell,
        ),
        Snippet(
            "dotenv",
            ".env file",
            "dotenv",
            env_lines(shown_key),
            "Secret. Keep the .env file out of git. Frameworks may want a prefix "
            "(NEXT_PUBLIC_, VITE_) on the public variables only, never on the personal key.",
            secret_env,
        ),
    ]
