"""The PostHog HTTP client: no Textual import anywhere below this package."""
