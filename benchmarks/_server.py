"""Demo servers for the scale benchmark, in their own process so that their work (10,000
projects as JSON) does not share the measured client's interpreter.

`python -m benchmarks._server 100x100@0.05 1x1000@0` prints one JSON line, {spec: url}, then
serves until its standard input closes.
"""

from __future__ import annotations

import json
import sys

from phguide.demo.data import scale_data
from phguide.demo.server import DemoServer


def main(specs: list[str]) -> int:
    """Start one server per `ORGSxPROJECTS@LATENCY`, print their URLs, serve until stdin closes."""
    servers: dict[str, DemoServer] = {}
    for spec in specs:
        size, _, latency = spec.partition("@")
        orgs, _, projects = size.partition("x")
        data = scale_data(int(orgs), int(projects))
        servers[spec] = DemoServer(data, latency=float(latency or 0)).start()
    print(json.dumps({spec: server.url for spec, server in servers.items()}), flush=True)
    try:
        sys.stdin.read()
    finally:
        for server in servers.values():
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
