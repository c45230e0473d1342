"""What phguide knows, free of Textual and argparse: hosts, secrets, checks, snippets."""
