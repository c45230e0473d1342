"""Tooling for phguide's repository (not shipped in the wheel)."""
