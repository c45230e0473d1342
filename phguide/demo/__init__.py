"""The embedded PostHog-compatible demo server (standard library only)."""

from __future__ import annotations

from phguide.demo.clock import DemoClock
from phguide.demo.data import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    EMAIL_CODE_EMAIL,
    EU_EMAIL,
    SSO_EMAIL,
    SSO_PROVIDER,
    TOTP_EMAIL,
    UNVERIFIED_EMAIL,
    DemoData,
    demo_data,
    scale_data,
)
from phguide.demo.faults import FaultPlan
from phguide.demo.server import DemoServer

__all__ = [
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "EMAIL_CODE_EMAIL",
    "EU_EMAIL",
    "SSO_EMAIL",
    "SSO_PROVIDER",
    "TOTP_EMAIL",
    "UNVERIFIED_EMAIL",
    "DemoClock",
    "DemoData",
    "DemoServer",
    "FaultPlan",
    "demo_data",
    "scale_data",
]
