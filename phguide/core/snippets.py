"""The guide's "Using your API keys" examples, filled in with the user's key, project and host."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Final, Literal

from phguide.core.environment import HOST_VARIABLE, KEY_VARIABLE
from phguide.core.frameworks import PLAIN, Framework
from phguide.core.hosts import US_CLOUD, Host
from phguide.core.secret import Secret

__all__ = [
    "HOST_VARIABLE",
    "PERSONAL_KEY_PLACEHOLDER",
    "PERSONAL_KEY_VARIABLE",
    "PROJECT_ID_PLACEHOLDER",
    "PROJECT_KEY_PLACEHOLDER",
    "PROJECT_KEY_VARIABLE",
    "SECRET_KEY_VARIABLE",
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
PERSONAL_KEY_VARIABLE: Final = KEY_VARIABLE
SECRET_KEY_VARIABLE: Final = "POSTHOG_SECRET_KEY"
"""Where the local-evaluation examples read a project secret key (`phs_`) from."""

SnippetId = Literal[
    "javascript",
    "python",
    "node",
    "server",
    "curl",
    "local-python",
    "local-node",
    "shell",
    "dotenv",
]
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
    framework: Framework = PLAIN
    """Whose variable names the browser example and the `.env` file use."""

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
        context: What phguide knows; its framework names the public variables.

    Returns:
        Variable name to plain value (the personal key included, when phguide holds one).
    """
    framework = context.framework
    ingest = context.chosen_host.ingest_url
    values: dict[str, str] = {}
    if context.project_token is not None:
        values[framework.key_variable] = context.project_token
        values[framework.host_variable] = ingest
    if context.personal_key is not None:
        values[PERSONAL_KEY_VARIABLE] = context.personal_key.reveal()
        values.setdefault(HOST_VARIABLE, ingest)
    return values


def _browser(token: str, host: Host, framework: Framework) -> str:
    """The guide's client-side example, reading the framework's variables when it has some."""
    key, api_host = _js(token), _js(host.ingest_url)
    imports = "import posthog from 'posthog-js'\n"
    if framework.read is not None:
        key = framework.reads(framework.key_variable)
        api_host = framework.reads(framework.host_variable)
        if framework.imports:
            imports += framework.imports + "\n"
    return (
        f"{imports}\n"
        f"posthog.init({key}, {{\n"
        f"    api_host: {api_host},\n"
        "})\n"
        "posthog.capture('signed_up')"
    )


def _server_snippets(token: str, host: Host, api_url: str) -> list[Snippet]:
    """The server-side examples: capture from Python and Node, the API, local evaluation."""
    ingest = host.ingest_url
    python = (
        "from posthog import Posthog\n"
        "\n"
        "posthog = Posthog(\n"
        f"    project_api_key={_py(token)},\n"
        f"    host={_py(ingest)},\n"
        ")\n"
        "posthog.capture('signed_up', distinct_id='user-123')\n"
        "posthog.shutdown()  # send what is queued before the script exits"
    )
    node = (
        "import { PostHog } from 'posthog-node'\n"
        "\n"
        f"const posthog = new PostHog({_js(token)}, {{ host: {_js(ingest)} }})\n"
        "posthog.capture({ distinctId: 'user-123', event: 'signed_up' })\n"
        "await posthog.shutdown() // send what is queued before the process exits"
    )
    server = (
        "// Store in an environment variable: never in code or in git\n"
        f"const POSTHOG_PERSONAL_API_KEY = process.env.{PERSONAL_KEY_VARIABLE};\n"
        "\n"
        f"const response = await fetch({_js(api_url)}, {{\n"
        "    headers: { Authorization: `Bearer ${POSTHOG_PERSONAL_API_KEY}` },\n"
        "});\n"
        "const project = await response.json();\n"
        "console.log(project.name);"
    )
    event = json.dumps({"api_key": token, "event": "signed_up", "distinct_id": "user-123"})
    curl = (
        "# Send an event: the public project token is enough\n"
        f"curl -X POST {_sh(ingest + '/i/v0/e/')} -H 'Content-Type: application/json' \\\n"
        f"    -d {_sh(event)}\n"
        "# Read the project through the private API, with the personal key exported below\n"
        f'curl -H "Authorization: Bearer ${PERSONAL_KEY_VARIABLE}" \\\n    {_sh(api_url)}'
    )
    local_python = (
        "import os\n"
        "\n"
        "from posthog import Posthog\n"
        "\n"
        "# Server-side only: the secret key evaluates flags without a call per user\n"
        "posthog = Posthog(\n"
        f"    project_api_key={_py(token)},\n"
        f"    host={_py(ingest)},\n"
        f"    secret_key=os.environ[{_py(SECRET_KEY_VARIABLE)}],\n"
        ")\n"
        "flags = posthog.evaluate_flags('user-123')\n"
        "if flags.is_enabled('my-flag'):\n"
        "    print('my-flag is on for user-123')\n"
        "posthog.capture('signed_up', distinct_id='user-123', flags=flags)\n"
        "posthog.shutdown()"
    )
    local_node = (
        "import { PostHog } from 'posthog-node'\n"
        "\n"
        "// Server-side only: the secret key evaluates flags without a call per user\n"
        f"const posthog = new PostHog({_js(token)}, {{\n"
        f"    host: {_js(ingest)},\n"
        f"    personalApiKey: process.env.{SECRET_KEY_VARIABLE},\n"
        "})\n"
        "const flags = await posthog.evaluateFlags('user-123')\n"
        "if (flags.isEnabled('my-flag')) console.log('my-flag is on for user-123')\n"
        "posthog.capture({ distinctId: 'user-123', event: 'signed_up', flags })\n"
        "await posthog.shutdown()"
    )
    secret_note = (
        f"Export a project secret key (phs_…, Project settings → Secret API keys, scope "
        f"feature_flag:read) as {SECRET_KEY_VARIABLE}: a personal key works too, but PostHog "
        "recommends the secret key. Never in browser code."
    )
    return [
        Snippet(
            "python",
            "Python SDK",
            "python",
            python,
            "pip install posthog (7.x). capture takes the event first, then distinct_id=.",
        ),
        Snippet(
            "node",
            "Node.js SDK",
            "javascript",
            node,
            "npm install posthog-node. An ES module (a .mjs file): shutdown sends what is queued.",
        ),
        Snippet(
            "server",
            "Server-side API call (Node.js)",
            "javascript",
            server,
            "The personal API key is read from the environment: it never appears in the code.",
        ),
        Snippet(
            "curl",
            "Try it from a shell (curl)",
            "bash",
            curl,
            f"Events go to the ingestion host; the private API lives on {host.app_url}. "
            "Run the second command after the export line below.",
        ),
        Snippet(
            "local-python",
            "Local flag evaluation (Python)",
            "python",
            local_python,
            secret_note,
        ),
        Snippet(
            "local-node",
            "Local flag evaluation (Node.js)",
            "javascript",
            local_node,
            secret_note,
        ),
    ]


def build_snippets(context: SnippetContext) -> list[Snippet]:
    """The guide's examples, with placeholders where phguide does not know the value.

    Args:
        context: The key, project, host and framework to fill in.

    Returns:
        Browser, Python, Node, server-side API, curl, local evaluation, shell `export` and
        `.env` examples.
    """
    host = context.chosen_host
    framework = context.framework
    token = context.project_token or PROJECT_KEY_PLACEHOLDER
    project = str(context.project_id) if context.project_id is not None else PROJECT_ID_PLACEHOLDER
    api_url = f"{host.app_url}/api/projects/{project}/"
    personal = context.personal_key
    shown_key = personal.masked if personal is not None else PERSONAL_KEY_PLACEHOLDER

    def shell_lines(key: str) -> str:
        # The leading space keeps the line out of bash and zsh history when they are set to.
        return (
            f" export {PERSONAL_KEY_VARIABLE}={_sh(key)}\n"
            f"export {HOST_VARIABLE}={_sh(host.ingest_url)}"
        )

    def env_lines(key: str) -> str:
        return (
            f"{framework.key_variable}={_env(token)}\n"
            f"{framework.host_variable}={_env(host.ingest_url)}\n"
            f"{PERSONAL_KEY_VARIABLE}={_env(key)}"
        )

    secret_shell = Secret(shell_lines(personal.reveal())) if personal is not None else None
    secret_env = Secret(env_lines(personal.reveal())) if personal is not None else None
    if framework.read is None:
        browser_note = (
            f"The project token is public: safe in frontend code. api_host is {host.label}'s "
            "ingestion address."
        )
    else:
        browser_note = (
            f"{framework.name} reads {framework.key_variable} and {framework.host_variable} "
            f"from {framework.env_file} (the .env example below): public values, safe in "
            "the browser."
        )
    return [
        Snippet(
            "javascript",
            f"Client-side (JavaScript{', ' + framework.name if framework.read else ''})",
            "javascript",
            _browser(token, host, framework),
            browser_note,
        ),
        *_server_snippets(token, host, api_url),
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
            f"{framework.env_file} file" + (f" ({framework.name})" if framework.read else ""),
            "dotenv",
            env_lines(shown_key),
            f"Secret. Keep {framework.env_file} out of git. Only the public values carry a "
            "framework prefix; the personal key never does (f picks the framework).",
            secret_env,
        ),
    ]
