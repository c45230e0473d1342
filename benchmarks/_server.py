"""Demo servers for the benchmarks, in their own process: their work (sign-ins, 10,000 projects
as JSON) must not share the measured app's interpreter, as a real PostHog does not.

`python -m benchmarks._server demo@0 100x100@0.05` starts one server per spec (`demo` is the
demo data, `ORGSxPROJECTS` the scale data; `@SECONDS` the added latency), prints one JSON line
`{spec: {"url", "token"}}` (`token`: the demo user's current project key) and then obeys one
command a line on standard input, answering each with one JSON line:

- `latency SPEC SECONDS`: set a server's added latency;
- `clear SPEC`: forget the requests seen so far;
- `timeline SPEC`: `[[method, path, started, finished], ...]` (`time.monotonic()`, which is the
  same clock in every process on Linux and macOS).

The hello line also holds `key`: a personal API key of the demo user with every scope (made at
start, for the returning-user benchmark; empty for the scale data).

It stops when standard input closes.
"""

from __future__ import annotations

import json
import sys
import time

from phguide.demo.data import DEMO_EMAIL, DemoData, demo_data, scale_data
from phguide.demo.server import DemoServer


def _data(name: str) -> DemoData:
    if name == "demo":
        return demo_data("us")
    orgs, _, projects = name.partition("x")
    return scale_data(int(orgs), int(projects))


def _token(data: DemoData) -> str:
    user = data.user(DEMO_EMAIL)
    if user is None or user.current_team_id is None:
        return ""
    return data.projects[user.current_team_id].api_token


def _key(data: DemoData) -> str:
    user = data.user(DEMO_EMAIL)
    if user is None:
        return ""
    _, value = data.create_key(user, "benchmark", ["*"], created_at=time.time())
    return value


def _answer(servers: dict[str, DemoServer], line: str) -> object:
    command, _, rest = line.partition(" ")
    spec, _, value = rest.partition(" ")
    server = servers[spec]
    if command == "latency":
        server.latency = float(value)
        return True
    if command == "clear":
        server.clear_requests_log()
        return True
    if command == "timeline":
        return [list(timing) for timing in server.requests_timeline]
    raise ValueError(f"unknown command {command!r}")


def main(specs: list[str]) -> int:
    """Start the servers, print where they are, obey commands until stdin closes."""
    servers: dict[str, DemoServer] = {}
    tokens: dict[str, str] = {}
    keys: dict[str, str] = {}
    for spec in specs:
        name, _, latency = spec.partition("@")
        data = _data(name)
        tokens[spec] = _token(data)
        keys[spec] = _key(data)
        servers[spec] = DemoServer(data, latency=float(latency or 0)).start()
    hello = {
        spec: {"url": s.url, "token": tokens[spec], "key": keys[spec]}
        for spec, s in servers.items()
    }
    print(json.dumps(hello), flush=True)
    try:
        for line in sys.stdin:
            if line.strip():
                print(json.dumps(_answer(servers, line.strip())), flush=True)
    finally:
        for server in servers.values():
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
