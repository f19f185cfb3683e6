"""Errors services raise for bad input, named by the field they concern."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field; ``field`` is the API/form field name."""

    field: str
    message: str


class ValidationFailed(Exception):
    """Input was refused; nothing was written. ``errors`` says which fields and why."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors

    @classmethod
    def one(cls, field: str, message: str) -> "ValidationFailed":
        return cls([FieldError(field, message)])

    @classmethod
    def from_pydantic(cls, exc, messages: dict[str, str] | None = None) -> "ValidationFailed":
        """Turn a pydantic ``ValidationError`` into one plain message per field.

        *messages* gives the sentence to show for a field, whatever pydantic said.
        """
        messages = messages or {}
        errors: dict[str, str] = {}
        for err in exc.errors():
            field = str(err["loc"][0]) if err.get("loc") else "__all__"
            message = err["msg"]
            if message.startswith("Value error, "):
                message = message.removeprefix("Value error, ")
                if ": " in message and message.split(": ", 1)[0].isidentifier():
                    field, message = message.split(": ", 1)
            elif err["type"] == "missing":
                message = "This field is required."
            errors.setdefault(field, messages.get(field, message))
        return cls([FieldError(field, message) for field, message in errors.items()])


class NotFound(Exception):
    """The thing asked for does not exist, or the asker may not know that it does."""


class Conflict(Exception):
    """The request repeats an earlier one's id with a different body."""
