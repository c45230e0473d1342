"""`phguide keys`: the project API key of every project the personal key can see."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from phguide.cli.context import Context
from phguide.cli.output import EXIT_FAILED, EXIT_OK

if TYPE_CHECKING:
    from phguide.api.client import PostHogClient
    from phguide.api.models import Project
    from phguide.core.hosts import Host

__all__ = ["keys"]


@dataclass(frozen=True)
class _Row:
    organization: str
    organization_id: str
    project_id: int
    project: str
    api_token: str
    ingestion_host: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "organization": self.organization,
            "project_id": self.project_id,
            "project": self.project,
            "api_token": self.api_token,
            "ingestion_host": self.ingestion_host,
        }


async def _list_projects(
    client: PostHogClient, host: Host
) -> tuple[list[_Row], list[tuple[str, str]]]:
    """Every project the key can see, and (what, reason) for what it cannot list."""
    from phguide.core.visibility import what_can_see

    seen = await what_can_see(client)
    rows: list[_Row] = []
    failed: list[tuple[str, str]] = [(f.what, f.reason) for f in seen.failures]
    for listing in seen.organizations:
        name = listing.organization.name
        if listing.error is not None:
            failed.append((name, listing.error))
        rows.extend(_row(listing.organization.id, name, p, host) for p in listing.projects)
    return rows, failed


def _row(organization_id: str, organization: str, project: Project, host: Host) -> _Row:
    return _Row(
        organization, organization_id, project.id, project.name, project.api_token, host.ingest_url
    )


def _matches(wanted: str | None, *values: str) -> bool:
    if not wanted:
        return True
    needle = wanted.strip().casefold()
    return any(needle == value.casefold() for value in values) or needle in values[0].casefold()


def _table(rows: list[_Row]) -> list[str]:
    headers = ("ORGANIZATION", "PROJECT", "ID", "PROJECT API KEY")
    cells = [(r.organization, r.project, str(r.project_id), r.api_token) for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]

    def line(values: tuple[str, ...]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    return [line(headers), *(line(c) for c in cells)]


def keys(context: Context) -> int:
    """List the project API keys; exit 4 without a personal key, 1 when none is seen."""
    host, _ = context.host()
    found = context.require_key(host)

    async def fetch() -> tuple[list[_Row], list[tuple[str, str]]]:
        async with context.client_factory(host, found.key) as client:
            return await _list_projects(client, host)

    rows, failed = asyncio.run(fetch())
    args, io = context.args, context.io
    rows = [
        r
        for r in rows
        if _matches(args.org, r.organization, r.organization_id)
        and _matches(args.project, r.project, str(r.project_id))
    ]
    for organization, reason in failed:
        if _matches(args.org, organization):
            io.err(f"phguide: {organization}: {reason}")
    if args.json:
        io.out(json.dumps([row.as_dict() for row in rows], indent=2))
    elif rows:
        for line in _table(rows):
            io.out(line)
        io.out()
        io.out(f"Ingestion host (api_host): {host.ingest_url}")
    if not rows:
        what = " matching the filters" if args.org or args.project else ""
        io.err(f"phguide: no project{what} that this key can see on {host.label}.")
        return EXIT_FAILED
    return EXIT_OK
