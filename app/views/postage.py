"""The postage calculator: which stamps a piece needs, on the day it is posted."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from decimal import InvalidOperation

from flask import Blueprint
from flask import render_template
from flask import request

from app.i18n import translate
from app.services import postage
from app.services.errors import N_
from app.services.errors import ValidationFailed
from app.services.rates import load_rate_book

bp = Blueprint("postage", __name__, url_prefix="/postage")

# Options of the operators, as a supporter would choose them.
OPTION_CHOICES = [
    ("", N_("Usual (first class, stamps from a booklet)")),
    ("class=second", N_("UK: second class")),
    ("purchase=single", N_("Canada: a single stamp")),
    ("purchase=meter", N_("Canada: postage meter")),
]
KIND_HELP = {
    "postcard": N_("A postcard: a card with no envelope."),
    "letter": N_("A letter: anything in an ordinary envelope. A card in an envelope is a letter."),
    "large_envelope": N_("A large envelope: a big flat envelope, like an A4 drawing sent flat."),
}


@dataclass
class Calculation:
    """The calculator's inputs as typed, and its answer or the problems found."""

    values: dict
    quote: postage.Quote | None = None
    errors: dict | None = None
    unknown: str | None = None

    @property
    def asked(self) -> bool:
        return bool(self.values.get("from") or self.values.get("to"))


def calculate(args, defaults: dict | None = None) -> Calculation:
    """Read the calculator's query string and price the piece it describes."""
    values = {
        "from": args.get("from", ""),
        "to": args.get("to", ""),
        "kind": args.get("kind", "letter"),
        "weight": args.get("weight", "20"),
        "unit": args.get("unit", "g"),
        "on": args.get("on", "") or dt.date.today().isoformat(),
        "nonmachinable": bool(args.get("nonmachinable")),
        "option": args.get("option", ""),
    } | (defaults or {})
    calc = Calculation(values)
    if not (args.get("from") or args.get("to")):
        return calc
    try:
        calc.quote = postage.quote(
            origin=values["from"],
            destination=values["to"],
            kind=values["kind"],
            weight_g=_grams(values["weight"], values["unit"]),
            on=values["on"],
            nonmachinable=values["nonmachinable"],
            options=postage.parse_options([values["option"]] if values["option"] else []),
        )
    except postage.NoPublishedPrice as unknown:
        calc.unknown = translate(unknown.errors[0].message, unknown.errors[0].params)
    except ValidationFailed as failure:
        calc.errors = {e.field: translate(e.message, e.params) for e in failure.errors}
    return calc


def _grams(weight: str, unit: str) -> Decimal:
    """Read a weight in grams or ounces, exactly.

    :raises ValidationFailed: if it is not a number.
    """
    try:
        number = Decimal(weight.strip().replace(",", "."))
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, AttributeError):
        raise ValidationFailed.one("weight_g", N_("Enter the weight as a number.")) from None
    return postage.grams_from_ounces(number) if unit == "oz" else number


def operator_names() -> list[str]:
    """Name the postal services whose prices the calculator knows."""
    return sorted(op.name for op in load_rate_book().operators.values())


@bp.get("")
def calculator():
    """Price a piece from one country to another on a given day."""
    calc = calculate(request.args)
    status = 422 if calc.errors else 200
    return render_template(
        "postage/calculator.html",
        calc=calc,
        option_choices=OPTION_CHOICES,
        kind_help=KIND_HELP,
        operators=operator_names(),
    ), status
