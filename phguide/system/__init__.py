"""The machine's edges, each with a timeout: keyring, clipboard, browser, settings file."""
