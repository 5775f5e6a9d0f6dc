class IngestionError(Exception):
    """A problem the user can act on: its message is printed as one line, without a traceback."""
