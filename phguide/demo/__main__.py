"""`python -m phguide.demo`: run the demo server alone and print how to sign in."""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence

from phguide.demo.data import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    EMAIL_CODE_EMAIL,
    EU_EMAIL,
    SSO_EMAIL,
    TOTP_EMAIL,
    UNVERIFIED_EMAIL,
    demo_data,
    scale_data,
)
from phguide.demo.server import DemoServer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m phguide.demo",
        description="Run phguide's embedded PostHog-compatible demo server on loopback.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds added to every response"
    )
    parser.add_argument("--region", choices=("us", "eu"), default="us", help="which data set")
    parser.add_argument(
        "--scale", action="store_true", help="100 organizations x 100 projects for one user"
    )
    parser.add_argument(
        "--device-interval", type=int, default=5, help="device-flow poll interval (seconds)"
    )
    parser.add_argument(
        "--narrow-device-scopes",
        action="store_true",
        help="play a PostHog whose browser approval grants only event_definition:read, "
        "property_definition:read, error_tracking:read/write unless user:read and "
        "project:read are ticked on the page",
    )
    parser.add_argument(
        "--hostile",
        action="store_true",
        help="serve names, labels and user names full of terminal escapes, bidi overrides and "
        "markup, and a project key with shell metacharacters (phguide must show them as text)",
    )
    parser.add_argument("--quiet", action="store_true", help="do not print each request")
    return parser


def _banner(server: DemoServer, region: str) -> str:
    lines = [
        f"phguide demo PostHog ({region.upper()} data) at {server.url}",
        f"  password for every account: {DEMO_PASSWORD}",
    ]
    if region == "eu":
        lines.append(f"  {EU_EMAIL:30}  EU user (US accounts do not exist here)")
    else:
        totp_now = server.current_totp(TOTP_EMAIL)
        lines += [
            f"  {DEMO_EMAIL:30}  main demo user, no second factor",
            f"  {TOTP_EMAIL:30}  authenticator 2FA: code now {totp_now}; printed again when asked",
            f"  {'':30}  secret {server.totp_secret(TOTP_EMAIL)}, "
            f"backup codes {', '.join(server.backup_codes(TOTP_EMAIL)[:3])}, ...",
            f"  {EMAIL_CODE_EMAIL:30}  emailed code: printed here when sent",
            f"  {SSO_EMAIL:30}  SSO enforced: use browser approval",
            f"  {UNVERIFIED_EMAIL:30}  email not verified",
        ]
    lines += [
        f"  browser approval page: {server.url}/cli/authorize",
        f"  try: curl -s -X POST {server.url}/api/login/precheck "
        "-H 'Content-Type: application/json' -d '{\"email\": \"" + DEMO_EMAIL + "\"}'",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until interrupted.

    Returns:
        The exit status.
    """
    args = _parser().parse_args(argv)
    quiet: bool = args.quiet

    def show(line: str) -> None:
        # Request lines are noise with --quiet; codes and approvals always matter.
        is_request = line.split(" ", 1)[0] in {"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"}
        if not (quiet and is_request):
            print(line, flush=True)

    data = scale_data() if args.scale else demo_data(args.region)
    if args.hostile:
        from phguide.demo.hostile import make_hostile

        make_hostile(data)
    server = DemoServer(
        data,
        host=args.host,
        port=args.port,
        latency=args.latency,
        device_interval=args.device_interval,
        on_event=show,
        device_scopes="narrow" if args.narrow_device_scopes else "full",
    )
    try:
        server.start()
    except OSError as error:
        print(f"Cannot listen on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
        return 1
    try:
        # Inside the try: a Ctrl-C the moment the banner shows (before the wait starts) still
        # stops the server quietly, with no traceback.
        print(_banner(server, "us" if args.scale else args.region), flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nStopped.", flush=True)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
