"""Errors services raise for bad input, named by the field they concern.

Messages are English templates with ``%(name)s`` fields, marked with :func:`N_` so the
catalogs pick them up; the views translate them into the reader's language. A field whose
name ends in ``country`` holds an ISO alpha-2 code, shown as the country's name.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from app.services import countries


def N_(message: str) -> str:  # noqa: N802 - the name gettext's tools look for
    """Mark *message* for translation where it is written; it is translated where shown."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - like N_
    """Mark a singular and plural pair for translation, for ``ngettext`` where it is shown.

    pybabel extracts it as a plural entry when told ``-k Nn_:1,2``.
    """
    return singular, plural


def english(message: str, params: Mapping[str, object] | None = None) -> str:
    """Fill *message* in English: a ``*country`` field's ISO code becomes the country's name.

    The English twin of ``app.i18n.translate``, for the CLI and for text that is stored.
    """
    if not params:
        return message
    shown = {
        name: countries.country_name(value) if name.endswith("country") else value
        for name, value in params.items()
    }
    return message % shown


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field; ``field`` is the API/form field name."""

    field: str
    message: str
    params: Mapping[str, object] = dataclass_field(default_factory=dict)

    @property
    def text(self) -> str:
        """The message in English, with its fields filled in."""
        return english(self.message, self.params)


# What a person reads when pydantic refuses a value, by pydantic's error type.
_PYDANTIC = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This field is required."),
    "string_too_long": N_("Use at most %(max_length)s characters."),
    "greater_than_equal": N_("Enter a number of at least %(ge)s."),
    "greater_than": N_("Enter a number greater than %(gt)s."),
    "less_than_equal": N_("Enter a number of at most %(le)s."),
    "int_parsing": N_("Enter a whole number."),
    "int_type": N_("Enter a whole number."),
    "int_from_float": N_("Enter a whole number."),
    "decimal_parsing": N_("Enter a number."),
    "decimal_type": N_("Enter a number."),
    "decimal_max_places": N_("Use at most %(decimal_places)s decimal places."),
    "date_parsing": N_("Enter a date like 2025-12-10."),
    "date_from_datetime_parsing": N_("Enter a date like 2025-12-10."),
    "date_type": N_("Enter a date like 2025-12-10."),
    "enum": N_("Choose one of the options."),
    "bool_parsing": N_("Tick the box or leave it empty."),
}


class ValidationFailed(Exception):
    """Input was refused; nothing was written. ``errors`` says which fields and why."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.field}: {e.text}" for e in errors))
        self.errors = errors

    @classmethod
    def one(cls, field: str, message: str, **params) -> "ValidationFailed":
        return cls([FieldError(field, message, params)])

    @classmethod
    def from_pydantic(cls, exc, messages: dict[str, str] | None = None) -> "ValidationFailed":
        """Turn a pydantic ``ValidationError`` into one plain message per field.

        *messages* gives the sentence to show for a field, whatever pydantic said.
        """
        messages = messages or {}
        errors: dict[str, FieldError] = {}
        for err in exc.errors():
            field = str(err["loc"][0]) if err.get("loc") else "__all__"
            if field in errors:
                continue
            if field in messages:
                errors[field] = FieldError(field, messages[field])
            elif err["type"] == "value_error":
                # Our own validators raise ValueError("field: message") or ("message").
                message = str(err["ctx"]["error"])
                named, _, rest = message.partition(": ")
                if rest and named.isidentifier():
                    field, message = named, rest
                errors.setdefault(field, FieldError(field, message))
            elif err["type"] in _PYDANTIC:
                ctx = {k: v for k, v in (err.get("ctx") or {}).items() if k != "error"}
                errors[field] = FieldError(field, _PYDANTIC[err["type"]], ctx)
            else:
                errors[field] = FieldError(field, err["msg"])
        return cls(list(errors.values()))


class NotFound(Exception):
    """The thing asked for does not exist, or the asker may not know that it does."""


class Conflict(Exception):
    """The request repeats an earlier one's id with a different body."""
