"""Errors a user can cause: each carries one clear sentence saying what to do."""


class UserError(Exception):
    """An error caused by input or environment; its message is shown as is, no traceback."""


def first_error(source: object, exc: Exception) -> str:
    """`source: field.path: message` for the first error of a pydantic `ValidationError`."""
    first = exc.errors()[0]  # type: ignore[attr-defined]
    where = ".".join(str(p) for p in first["loc"])
    return f"{source}: {where}: {first['msg']}"
