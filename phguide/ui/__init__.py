"""The interface: the Textual app, its steps (screens), widgets and dialogs."""
