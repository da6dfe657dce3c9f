"""The terminal interfaces: the command line and the Textual app."""
