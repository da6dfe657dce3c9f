"""The Textual app: the app, its screens and dialogs, charts and messages."""
