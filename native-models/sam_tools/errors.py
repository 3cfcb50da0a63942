"""The one error type the tools raise for bad input: its message is meant for the user, one line."""


class SamToolsError(Exception):
    """A user-facing problem (bad file, bad config, failed check). `export.py` prints it without a traceback."""
