"""Key diagnosis: what a pasted key is, and whether and where it works, against demo servers."""

from __future__ import annotations

import socket

import pytest

from phguide.api.client import PostHogClient
from phguide.core.diagnose import Diagnosis, classify, clean_key, diagnose_key
from phguide.core.hosts import Clouds, Host, parse_host
from phguide.core.secret import Secret
from phguide.demo import DEMO_EMAIL, EU_EMAIL, DemoServer


def factory(host: Host, key: Secret | None) -> PostHogClient:
    # No retries: a fault test wants the first answer, not a wait.
    return PostHogClient(host, personal_key=key, retries=0, timeout=5.0)


def assert_no_secret(diagnosis: Diagnosis, value: str) -> None:
    assert value not in diagnosis.to_json()
    assert value not in "\n".join(diagnosis.to_lines())
    assert value not in repr(diagnosis)


# -- from the text alone -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pasted", "kind"),
    [
        ("phc_abc", "project"),
        ("phx_abc", "personal"),
        ("phs_abc", "project-secret"),
        ("pha_abc", "oauth-access"),
        ("phr_abc", "oauth-refresh"),
        ("sk_live_abc", "unknown"),
    ],
)
def test_prefixes(pasted: str, kind: str) -> None:
    assert classify(pasted).kind == kind


def test_what_comes_along_with_a_paste_is_removed_and_said() -> None:
    key = "phx_" + "a" * 35
    for pasted in (
        f"  '{key}'\n",
        f'"{key}",',
        f"export POSTHOG_PERSONAL_API_KEY={key}",
        f"Authorization: Bearer {key}",
        f"\u200b{key}\ufeff",
        f"{key[:20]}\n{key[20:]}",
        f"“{key}”",
    ):
        value, notes = clean_key(pasted)
        assert value == key, pasted
        assert notes or pasted.strip() == key


@pytest.mark.parametrize(
    ("pasted", "looks_like"),
    [
        ("sk_live_51Habcdefghijkl", "Stripe secret key"),
        ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "GitHub"),
        ("sk-proj-abcdefghijklmnop", "OpenAI"),
        ("https://us.posthog.com", "web address"),
        ("max@hedgehoglabs.example", "email address"),
        ("0123456789abcdef0123456789abcdef", "Mixpanel"),
        ("sk_test_51Habcdefghijkl", "Stripe secret key"),
        ("pk_live_51Habcdefghijkl", "Stripe publishable key"),
        ("rk_test_51Habcdefghijkl", "Stripe restricted key"),
        ("gho_abcdefghijklmnopqrstuvwxyz0123456789", "GitHub"),
        ("github_pat_11ABCDEFG0123456789_abcdefghij", "GitHub"),
        ("glpat-abcdefghijklmnopqrst", "GitLab"),
        ("sk-ant-api03-abcdefghijklmnop", "Anthropic"),
        ("xoxb-1234-5678-abcdefghijkl", "Slack"),
        ("AKIAIOSFODNN7EXAMPLE", "AWS"),
        ("AIza" + "b" * 35, "Google"),
        ("SG.abcdefghijklmnop.qrstuvwxyz", "SendGrid"),
        ("sntrys_abcdefghijklmnop", "Sentry"),
        ("npm_abcdefghijklmnopqrstuvwxyz0123456789", "npm"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "JSON Web Token"),
    ],
)
def test_keys_of_other_services_are_named(pasted: str, looks_like: str) -> None:
    found = classify(pasted)
    assert found.kind == "unknown"
    assert found.looks_like is not None and looks_like in found.looks_like


@pytest.mark.parametrize(
    "pasted",
    [
        "AKIAIOSFODNN7EXAMPL",  # an AWS key id is 20 characters
        "AIza" + "b" * 34,
        "0123456789abcdef0123456789abcdeg",
        "eyJhbGciOiJIUzI1NiJ9",
        "ghx_abcdefghijklmnopqrstuvwxyz0123456789",
        "xoxz-1234-5678-abcdefghijkl",
        "sntryx_abcdefghijklmnop",
        "sk_prod_51Habcdefghijkl",
    ],
)
def test_near_misses_of_other_services_are_not_named(pasted: str) -> None:
    assert classify(pasted).looks_like is None


def test_a_masked_copy_is_recognised() -> None:
    assert classify("phx_...abcd").masked_copy
    assert classify("phx_…abcd").masked_copy


# -- live ---------------------------------------------------------------------------------------


async def test_a_personal_key_says_who_which_scopes_projects_and_last_use(
    demo_server: DemoServer, clouds: Clouds
) -> None:
    key = demo_server.issue_key(DEMO_EMAIL, "Server", ["user:read", "project:read"])
    diagnosis = await diagnose_key(key, clouds.us, clouds, factory)
    assert diagnosis.kind == "personal"
    assert diagnosis.valid is True
    assert diagnosis.host == clouds.us
    assert diagnosis.user_email == DEMO_EMAIL
    assert diagnosis.key_label == "Server"
    assert diagnosis.scopes == ("user:read", "project:read")
    # Every project the key reaches (one function lists them for the CLI, step 3 and this).
    assert diagnosis.projects == ("Web app (id 1001)", "Mobile app (id 1002)", "Staging (id 1003)")
    assert diagnosis.last_used is not None
    assert diagnosis.checked == ("US Cloud",)
    assert ("GET", "/api/personal_api_keys/@current/") in demo_server.requests_log
    assert_no_secret(diagnosis, key)
    data = diagnosis.as_dict()
    assert data["mask"] == f"{key[:4]}...{key[-4:]}"
    assert data["valid"] is True and data["user"] == DEMO_EMAIL


async def test_a_personal_key_of_the_other_region_is_found_there(
    eu_server: DemoServer, clouds: Clouds
) -> None:
    key = eu_server.issue_key(EU_EMAIL, "Reporting", ["*"])
    diagnosis = await diagnose_key(key, clouds.us, clouds, factory, ask_other_region=True)
    assert diagnosis.valid is True
    assert diagnosis.host == clouds.eu
    assert diagnosis.checked == ("US Cloud", "EU Cloud")
    assert diagnosis.user_email == EU_EMAIL
    assert diagnosis.verdict == "Works, but on EU Cloud, not on US Cloud."
    assert "belongs to EU Cloud, not US Cloud" in diagnosis.problems[0].message
    assert "--host eu" in diagnosis.problems[0].fix


async def test_a_revoked_personal_key_is_refused_by_both_regions(
    demo_server: DemoServer, eu_server: DemoServer, clouds: Clouds
) -> None:
    key = demo_server.issue_key(DEMO_EMAIL, "Old", ["*"])
    with demo_server.data.lock:
        demo_server.data.delete_key(demo_server.data.find_key(key))  # type: ignore[arg-type]
    diagnosis = await diagnose_key(key, clouds.us, clouds, factory, ask_other_region=True)
    assert diagnosis.valid is False
    assert diagnosis.host is None
    assert diagnosis.checked == ("US Cloud", "EU Cloud")
    assert ("GET", "/api/users/@me/") in eu_server.requests_log
    [problem] = diagnosis.errors
    assert "does not accept this personal API key" in problem.message
    assert "deleted or rolled" in problem.fix


async def test_a_personal_key_goes_to_the_other_region_only_when_asked(
    eu_server: DemoServer, clouds: Clouds
) -> None:
    key = eu_server.issue_key(EU_EMAIL, "Reporting", ["*"])
    eu_server.clear_requests_log()
    diagnosis = await diagnose_key(key, clouds.us, clouds, factory)
    assert diagnosis.valid is False
    assert diagnosis.checked == ("US Cloud",)
    assert eu_server.requests_log == []
    assert "--host eu" in diagnosis.errors[0].fix


async def test_a_key_with_a_character_no_key_has_is_refused_unsent(
    demo_server: DemoServer, clouds: Clouds
) -> None:
    demo_server.clear_requests_log()
    for bad in ("phx_" + "a" * 20 + "é" + "b" * 20, "phx_" + "a" * 20 + "\x1b[2J" + "b" * 20):
        diagnosis = await diagnose_key(bad, clouds.us, clouds, factory)
        assert diagnosis.valid is False
        assert "contains a character that no PostHog key has" in diagnosis.errors[0].message
        assert "\x1b" not in diagnosis.mask
    assert demo_server.requests_log == []


async def test_a_truncated_key_is_called_that(demo_server: DemoServer, clouds: Clouds) -> None:
    key = demo_server.issue_key(DEMO_EMAIL, "Cut", ["*"])
    diagnosis = await diagnose_key(key[:-6], clouds.us, clouds, factory)
    assert diagnosis.valid is False
    assert "cut short" in diagnosis.errors[0].fix


async def test_a_project_key_is_checked_through_flags(
    demo_server: DemoServer, clouds: Clouds
) -> None:
    token = demo_server.data.projects[1001].api_token
    diagnosis = await diagnose_key(f"'{token}'", clouds.us, clouds, factory)
    assert diagnosis.kind == "project"
    assert diagnosis.valid is True
    assert diagnosis.host == clouds.us
    assert ("POST", "/flags") in demo_server.requests_log
    assert not any(path.startswith("/api/") for _, path in demo_server.requests_log)
    assert any("3 feature flags" in note for note in diagnosis.notes)
    assert "Removed the quotes or punctuation around it." in diagnosis.notes


async def test_a_project_key_of_the_other_region(eu_server: DemoServer, clouds: Clouds) -> None:
    token = eu_server.data.projects[5001].api_token
    diagnosis = await diagnose_key(token, clouds.us, clouds, factory)
    assert diagnosis.valid is True
    assert diagnosis.host == clouds.eu
    assert f"api_host {clouds.eu.ingest_url!r}" in diagnosis.problems[0].fix


async def test_an_unknown_project_key_is_invalid_everywhere(clouds: Clouds) -> None:
    diagnosis = await diagnose_key("phc_" + "Z" * 43, clouds.us, clouds, factory)
    assert diagnosis.valid is False
    assert diagnosis.checked == ("US Cloud", "EU Cloud")
    assert "Project settings" in diagnosis.errors[0].fix


async def _secret_key(server: DemoServer, project_id: int = 1001) -> str:
    with server.data.lock:
        _, value = server.data.secret_keys.create(
            project_id, "server", ["feature_flag:read"], created_at=0
        )
    return value


async def test_a_good_secret_key_works_through_local_evaluation(
    demo_server: DemoServer, clouds: Clouds
) -> None:
    value = await _secret_key(demo_server)
    token = demo_server.data.projects[1001].api_token
    diagnosis = await diagnose_key(value, clouds.us, clouds, factory, project_token=token)
    assert diagnosis.kind == "project-secret"
    assert diagnosis.valid is True and not diagnosis.errors and diagnosis.works
    assert diagnosis.wrong_input is None and diagnosis.verdict == "Works on US Cloud."
    assert "Local evaluation accepted it" in " ".join(diagnosis.notes)
    assert "deprecated" in diagnosis.kind_explanation
    assert_no_secret(diagnosis, value)


async def test_a_bad_secret_key_is_told_from_a_wrong_project_token(
    demo_server: DemoServer, clouds: Clouds
) -> None:
    token = demo_server.data.projects[1001].api_token
    bad = await diagnose_key("phs_" + "q" * 35, clouds.us, clouds, factory, project_token=token)
    assert bad.valid is False and bad.wrong_input == "secret-key" and not bad.works
    assert bad.verdict == "Refused by US Cloud: the secret key is not accepted."
    assert "does not accept this project secret API key" in bad.errors[0].message

    value = await _secret_key(demo_server)
    other = demo_server.data.projects[1002].api_token
    wrong = await diagnose_key(value, clouds.us, clouds, factory, project_token=other)
    assert wrong.valid is True and wrong.wrong_input == "project-token" and not wrong.works
    assert wrong.verdict == "The secret key works on US Cloud, but the project token is wrong."
    assert "belongs to another project" in wrong.errors[0].message


async def test_a_key_without_user_read_is_valid_and_missing_a_scope(
    demo_server: DemoServer, clouds: Clouds
) -> None:
    key = demo_server.issue_key(DEMO_EMAIL, "Flags", ["feature_flag:read", "project:read"])
    diagnosis = await diagnose_key(key, clouds.us, clouds, factory)
    assert diagnosis.valid is True
    assert diagnosis.verdict.startswith("Works")
    assert any("lacks the user:read scope" in p.message for p in diagnosis.problems)


async def test_a_key_with_no_scopes_has_no_access(demo_server: DemoServer, clouds: Clouds) -> None:
    key = demo_server.issue_key(DEMO_EMAIL, "Nothing", [])
    diagnosis = await diagnose_key(key, clouds.us, clouds, factory)
    assert diagnosis.scopes == ()
    assert any("no access" in p.message for p in diagnosis.errors)
    rows = {row.label: row.text for row in diagnosis.rows()}
    assert rows["Scopes"].startswith("no access")


async def test_a_legacy_key_without_a_prefix_is_asked_not_refused_by_form(
    demo_server: DemoServer, clouds: Clouds
) -> None:
    diagnosis = await diagnose_key("A" * 40, clouds.us, clouds, factory)
    # The server decided (it does not know the key): not a refusal by format.
    assert ("GET", "/api/users/@me/") in demo_server.requests_log
    assert diagnosis.valid is False


async def test_garbage_is_not_sent_anywhere(demo_server: DemoServer, clouds: Clouds) -> None:
    diagnosis = await diagnose_key("hello world", clouds.us, clouds, factory)
    assert diagnosis.kind == "unknown"
    assert diagnosis.valid is False
    assert diagnosis.verdict == "Not a PostHog key."
    assert "not a PostHog key" in diagnosis.errors[0].message
    assert demo_server.requests_log == []
    empty = await diagnose_key("  \n", clouds.us, clouds, factory)
    assert empty.errors[0].message == "There is nothing to check."


async def test_a_masked_copy_is_not_sent_anywhere(demo_server: DemoServer, clouds: Clouds) -> None:
    diagnosis = await diagnose_key("phx_...abcd", clouds.us, clouds, factory)
    assert diagnosis.valid is False
    assert "masked form" in diagnosis.errors[0].message
    assert demo_server.requests_log == []


async def test_a_whole_key_with_dots_after_it_is_not_taken_for_a_mask(
    demo_server: DemoServer, clouds: Clouds
) -> None:
    key = demo_server.issue_key(DEMO_EMAIL, "Dotted", ["*"])
    for pasted in (key + "...", key + "…"):
        assert not classify(pasted).masked_copy
        diagnosis = await diagnose_key(pasted, clouds.us, clouds, factory)
        assert_no_secret(diagnosis, key)
    assert classify("phx_abc…").masked_copy is False  # a cut-off key is not PostHog's mask


async def test_the_wrong_key_type_for_the_job(demo_server: DemoServer, clouds: Clouds) -> None:
    token = demo_server.data.projects[1001].api_token
    for_api = await diagnose_key(token, clouds.us, clouds, factory, purpose="api")
    assert for_api.valid is True and for_api.wrong_job
    assert "cannot call PostHog's private API" in for_api.errors[0].message
    key = demo_server.issue_key(DEMO_EMAIL, "Oops", ["*"])
    for_sdk = await diagnose_key(key, clouds.us, clouds, factory, purpose="sdk")
    assert for_sdk.wrong_job
    assert "project API key (phc_)" in for_sdk.errors[0].fix
    right = await diagnose_key(key, clouds.us, clouds, factory, purpose="api")
    assert not right.wrong_job


async def test_missing_scopes_are_named(demo_server: DemoServer, clouds: Clouds) -> None:
    key = demo_server.issue_key(DEMO_EMAIL, "Flags only", ["feature_flag:read"])
    diagnosis = await diagnose_key(key, clouds.us, clouds, factory)
    assert diagnosis.valid is True
    assert diagnosis.user_email is None
    messages = [p.message for p in diagnosis.problems]
    assert any("user:read" in m for m in messages)
    assert any("project:read" in m for m in messages)


async def test_an_organization_that_forbids_personal_keys(
    demo_server: DemoServer, clouds: Clouds
) -> None:
    key = demo_server.issue_key(DEMO_EMAIL, "Acme", ["*"], scoped_teams=[2001])
    diagnosis = await diagnose_key(key, clouds.us, clouds, factory)
    assert diagnosis.valid is True
    forbidden = [
        p for p in diagnosis.problems if "does not allow using personal API keys" in p.message
    ]
    assert len(forbidden) == 1
    assert forbidden[0].severity == "error"
    assert "Members can use personal API keys" in forbidden[0].fix
    assert diagnosis.projects == ("id 2001 (no access)",)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_an_unreachable_self_hosted_instance(clouds: Clouds) -> None:
    host = parse_host(f"http://127.0.0.1:{_closed_port()}")
    diagnosis = await diagnose_key("phx_" + "a" * 35, host, clouds, factory)
    assert diagnosis.valid is None
    assert diagnosis.verdict == "Could not be checked."
    [problem] = diagnosis.problems
    assert "refused the connection" in problem.message
    assert "self-hosted PostHog must be reachable" in problem.fix


async def test_a_tls_problem(demo_server: DemoServer, clouds: Clouds) -> None:
    # TLS spoken to a plain-HTTP server fails the handshake.
    host = parse_host(demo_server.url.replace("http://", "https://"))
    diagnosis = await diagnose_key("phc_" + "a" * 43, host, clouds, factory)
    assert diagnosis.valid is None
    assert "TLS" in diagnosis.problems[0].message


async def test_rate_limited(demo_server: DemoServer, clouds: Clouds) -> None:
    demo_server.faults.add("throttle", path="/flags", times=None, retry_after=120)
    diagnosis = await diagnose_key("phc_" + "a" * 43, clouds.us, clouds, factory)
    assert diagnosis.valid is None
    assert "rate-limiting" in diagnosis.problems[0].message
    assert "120" in diagnosis.problems[0].fix


async def test_server_error(demo_server: DemoServer, clouds: Clouds) -> None:
    demo_server.faults.add("status", path="/api/", times=None, status=502)
    key = demo_server.issue_key(DEMO_EMAIL, "Any", ["*"])
    diagnosis = await diagnose_key(key, clouds.us, clouds, factory)
    assert diagnosis.valid is None
    assert "answered 502" in diagnosis.problems[0].message
    assert "status.posthog.com" in diagnosis.problems[0].fix
