"""Errors a user can cause: each carries one clear sentence saying what to do."""


class UserError(Exception):
    """An error caused by input or environment; its message is shown as is, no traceback."""
