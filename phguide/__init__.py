"""phguide: get your PostHog API keys from the terminal."""

__version__ = "0.1.0"
