"""The usage examples: filled with the real key, project and region, never leaking the secret."""

from __future__ import annotations

from phguide.core.frameworks import FRAMEWORKS, PLAIN, framework_by_id
from phguide.core.hosts import EU_CLOUD, US_CLOUD, parse_host
from phguide.core.secret import Secret
from phguide.core.snippets import (
    PERSONAL_KEY_PLACEHOLDER,
    PROJECT_KEY_PLACEHOLDER,
    SnippetContext,
    build_snippets,
    env_values,
)

TOKEN = "phc_" + "A" * 43
PERSONAL = "phx_" + "s3cret" * 5 + "wxyz9"


def by_id(context: SnippetContext) -> dict[str, str]:
    return {snippet.id: snippet.text for snippet in build_snippets(context)}


def test_client_side_examples_use_the_project_key_and_the_region_ingestion_host() -> None:
    shown = by_id(SnippetContext(host=EU_CLOUD, project_token=TOKEN, project_id=42))
    assert f"posthog.init('{TOKEN}', {{" in shown["javascript"]
    assert "api_host: 'https://eu.i.posthog.com'" in shown["javascript"]
    python = shown["python"]
    assert f"    project_api_key='{TOKEN}',\n    host='https://eu.i.posthog.com',\n" in python


def test_server_side_examples_read_the_personal_key_from_the_environment() -> None:
    context = SnippetContext(
        host=US_CLOUD, project_token=TOKEN, project_id=1001, personal_key=Secret(PERSONAL)
    )
    shown = by_id(context)
    assert "process.env.POSTHOG_PERSONAL_API_KEY" in shown["server"]
    assert "'https://us.posthog.com/api/projects/1001/'" in shown["server"]
    assert '"Authorization: Bearer $POSTHOG_PERSONAL_API_KEY"' in shown["curl"]
    assert "https://us.posthog.com/api/projects/1001/" in shown["curl"]
    for snippet_id in ("server", "curl", "javascript", "python"):
        assert PERSONAL not in shown[snippet_id]


def test_export_and_dotenv_hold_the_personal_key_masked_on_screen_whole_on_copy() -> None:
    context = SnippetContext(host=US_CLOUD, project_token=TOKEN, personal_key=Secret(PERSONAL))
    snippets = {s.id: s for s in build_snippets(context)}
    for snippet_id in ("shell", "dotenv"):
        snippet = snippets[snippet_id]
        assert snippet.secret
        assert PERSONAL not in snippet.text
        assert "phx_...xyz9" in snippet.text
        assert PERSONAL in snippet.copy_value()
        assert PERSONAL in snippet.shown(reveal=True)
        assert PERSONAL not in repr(snippet)
    assert f" export POSTHOG_PERSONAL_API_KEY={PERSONAL}" in snippets["shell"].copy_value()
    assert "export POSTHOG_HOST=https://us.i.posthog.com" in snippets["shell"].copy_value()
    assert snippets["dotenv"].copy_value().splitlines() == [
        f"POSTHOG_PROJECT_API_KEY={TOKEN}",
        "POSTHOG_HOST=https://us.i.posthog.com",
        f"POSTHOG_PERSONAL_API_KEY={PERSONAL}",
    ]
    assert not snippets["javascript"].secret


def test_without_a_session_the_examples_show_the_guides_placeholders() -> None:
    context = SnippetContext()
    shown = by_id(context)
    assert PROJECT_KEY_PLACEHOLDER in shown["javascript"]
    assert "https://us.i.posthog.com" in shown["javascript"]
    assert "YOUR_PROJECT_ID" in shown["curl"]
    assert PERSONAL_KEY_PLACEHOLDER in shown["shell"]
    assert not any(s.secret for s in build_snippets(context))
    assert context.placeholders == [
        PROJECT_KEY_PLACEHOLDER,
        "YOUR_PROJECT_ID",
        PERSONAL_KEY_PLACEHOLDER,
    ]
    assert env_values(context) == {}


def test_self_hosted_uses_the_instance_for_both_hosts() -> None:
    host = parse_host("https://posthog.example.com")
    shown = by_id(SnippetContext(host=host, project_token=TOKEN, project_id=7))
    assert "api_host: 'https://posthog.example.com'" in shown["javascript"]
    assert "https://posthog.example.com/api/projects/7/" in shown["curl"]


def test_env_values_hold_only_what_phguide_knows() -> None:
    assert env_values(SnippetContext(host=EU_CLOUD, project_token=TOKEN)) == {
        "POSTHOG_PROJECT_API_KEY": TOKEN,
        "POSTHOG_HOST": "https://eu.i.posthog.com",
    }
    values = env_values(SnippetContext(host=EU_CLOUD, personal_key=Secret(PERSONAL)))
    assert values == {"POSTHOG_PERSONAL_API_KEY": PERSONAL, "POSTHOG_HOST": EU_CLOUD.ingest_url}


def test_python_examples_use_todays_capture_and_secret_key() -> None:
    shown = by_id(SnippetContext(host=US_CLOUD, project_token=TOKEN, project_id=1))
    # posthog 6.0 and later: the event first, distinct_id by keyword (the old order fails).
    assert "posthog.capture('signed_up', distinct_id='user-123')" in shown["python"]
    assert "capture('user-123'" not in shown["python"]
    assert "secret_key=os.environ['POSTHOG_SECRET_KEY']" in shown["local-python"]
    assert "personalApiKey: process.env.POSTHOG_SECRET_KEY" in shown["local-node"]
    assert "await posthog.shutdown()" in shown["node"]


def test_framework_names_in_the_browser_and_env_examples() -> None:
    nextjs = framework_by_id("nextjs")
    context = SnippetContext(
        host=EU_CLOUD, project_token=TOKEN, personal_key=Secret(PERSONAL), framework=nextjs
    )
    snippets = {s.id: s for s in build_snippets(context)}
    browser = snippets["javascript"].text
    assert "posthog.init(process.env.NEXT_PUBLIC_POSTHOG_KEY, {" in browser
    assert "api_host: process.env.NEXT_PUBLIC_POSTHOG_HOST," in browser
    assert TOKEN not in browser
    assert snippets["dotenv"].copy_value().splitlines() == [
        f"NEXT_PUBLIC_POSTHOG_KEY={TOKEN}",
        "NEXT_PUBLIC_POSTHOG_HOST=https://eu.i.posthog.com",
        # The secret keeps its plain name: a public prefix would ship it to the browser.
        f"POSTHOG_PERSONAL_API_KEY={PERSONAL}",
    ]
    assert ".env.local" in snippets["dotenv"].title
    assert env_values(context)["NEXT_PUBLIC_POSTHOG_KEY"] == TOKEN
    svelte = by_id(SnippetContext(project_token=TOKEN, framework=framework_by_id("sveltekit")))
    assert "import { env } from '$env/dynamic/public'" in svelte["javascript"]
    assert "posthog.init(env.PUBLIC_POSTHOG_KEY, {" in svelte["javascript"]
    assert all(f.key_variable.endswith("POSTHOG_KEY") or f is PLAIN for f in FRAMEWORKS)
