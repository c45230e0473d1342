"""PostHog's device flow and the approval page (contract §5)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from phguide.demo import DEMO_EMAIL, DEMO_PASSWORD, EMAIL_CODE_EMAIL, SSO_EMAIL, DemoServer
from tests.demo.helpers import Http


def _start(http: Http) -> dict[str, object]:
    reply = http.post("/api/cli-auth/device-code/")
    assert reply.status == 200
    code: dict[str, object] = reply.json()
    return code


def test_device_code_shape(demo_server: DemoServer, http: Http) -> None:
    code = _start(http)
    assert re.fullmatch(r"[A-Z]{4}-\d{4}", str(code["user_code"]))
    assert code["verification_uri"] == f"{demo_server.url}/cli/authorize"
    assert (
        code["verification_uri_complete"]
        == f"{demo_server.url}/cli/authorize?code={code['user_code']}"
    )
    assert code["expires_in"] == 600 and code["interval"] == 5
    assert http.post("/api/cli-auth/device-code").status == 200  # no trailing slash


def test_interval_is_configurable() -> None:
    with DemoServer(device_interval=1) as server:
        assert Http(server.url).post("/api/cli-auth/device-code/").json()["interval"] == 1


def test_pending_then_authorized_once(demo_server: DemoServer, http: Http) -> None:
    code = _start(http)
    poll = {"device_code": code["device_code"]}
    pending = http.post("/api/cli-auth/poll/", poll)
    assert (pending.status, pending.json()) == (202, {"status": "pending"})
    demo_server.approve_device(str(code["user_code"]), DEMO_EMAIL, 1002)
    done = http.post("/api/cli-auth/poll/", poll)
    assert done.status == 200
    body = done.json()
    assert body["status"] == "authorized"
    assert re.fullmatch(r"phx_[A-Za-z0-9]{35}", body["personal_api_key"])
    assert body["project_id"] == "1002"
    assert re.fullmatch(r"CLI - Mobile app - \d{4}-\d{2}-\d{2}", body["label"])
    assert {"user:read", "project:read"} <= set(body["scopes"])
    # Handed out once.
    assert http.post("/api/cli-auth/poll/", poll).json() == {
        "status": "expired",
        "error": "expired_token",
    }

    keyed = Http(demo_server.url, bearer=body["personal_api_key"])
    assert keyed.get("/api/projects/1002/").json()["api_token"].startswith("phc_")
    assert keyed.get("/api/users/@me/").status == 200
    assert keyed.get("/api/organizations/@current/projects/").status == 403
    # A real key: it counts toward the user's keys.
    labels = [k.label for k in demo_server.data.user_keys(DEMO_EMAIL)]
    assert body["label"] in labels


def test_expired_code(demo_server: DemoServer, http: Http) -> None:
    code = _start(http)
    demo_server.clock.advance(601)
    reply = http.post("/api/cli-auth/poll/", {"device_code": code["device_code"]})
    assert (reply.status, reply.json()) == (400, {"status": "expired", "error": "expired_token"})


def test_poll_validation(http: Http) -> None:
    assert http.post("/api/cli-auth/poll/", {}).error() == (400, "required", "device_code")
    assert http.post("/api/cli-auth/poll/", {"device_code": "nope"}).status == 400


def test_approval_respects_the_key_limit(demo_server: DemoServer, http: Http) -> None:
    for n in range(7):
        demo_server.issue_key(DEMO_EMAIL, f"k{n}")
    code = _start(http)
    try:
        demo_server.approve_device(str(code["user_code"]), DEMO_EMAIL, 1001)
    except ValueError as error:
        assert "10 personal API keys" in str(error)
    else:
        raise AssertionError("approval past the limit went through")


class _Form(HTMLParser):
    """The fields of the page's form."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.options: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "input" and named.get("name"):
            self.fields[str(named["name"])] = named.get("value") or ""
        if tag == "option":
            self.options.append(str(named.get("value")))


def _form(html: str) -> _Form:
    parser = _Form()
    parser.feed(html)
    return parser


def _submit(browser: Http, fields: dict[str, str]) -> str:
    from urllib.parse import urlencode

    reply = browser.request(
        "POST",
        "/cli/authorize",
        raw=urlencode(fields).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        csrf=False,
    )
    assert reply.headers["Content-Type"].startswith("text/html")
    return reply.text


def test_approval_page_in_a_browser(demo_server: DemoServer, http: Http) -> None:
    code = _start(http)
    browser = Http(demo_server.url)
    page = browser.get(str(code["verification_uri_complete"]) + "&use_cases=agent-cli")
    assert page.status == 200
    form = _form(page.text)
    assert form.fields["code"] == code["user_code"]
    fields = dict(form.fields, email=SSO_EMAIL, password="wrong")
    assert "Invalid email or password" in _submit(browser, fields)
    # The page stands in for SSO: an SSO-only account can approve here.
    approve_page = _submit(browser, dict(fields, password=DEMO_PASSWORD))
    approve_form = _form(approve_page)
    assert approve_form.fields["step"] == "approve"
    assert "2001" in approve_form.options
    done = _submit(browser, dict(approve_form.fields, project="2001"))
    assert "approved" in done
    reply = http.post("/api/cli-auth/poll/", {"device_code": code["device_code"]})
    assert reply.json()["project_id"] == "2001"


def test_approval_page_with_emailed_code(demo_server: DemoServer, http: Http) -> None:
    code = _start(http)
    browser = Http(demo_server.url)
    form = _form(browser.get(f"/cli/authorize?code={code['user_code']}").text)
    fields = dict(form.fields, email=EMAIL_CODE_EMAIL, password=DEMO_PASSWORD)
    assert "We emailed a 6-digit code" in _submit(browser, fields)
    emailed = demo_server.last_emailed_code(EMAIL_CODE_EMAIL)
    assert emailed
    approve_form = _form(_submit(browser, dict(fields, otp=emailed)))
    assert approve_form.fields["step"] == "approve"


def test_approval_page_needs_its_csrf_token(demo_server: DemoServer) -> None:
    browser = Http(demo_server.url)
    browser.get("/cli/authorize")
    page = _submit(browser, {"step": "signin", "email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert "CSRF verification failed" in page
