"""Published postage prices: read the rate tables once, check them, and index them.

The tables live in ``app/data/rates`` (its README describes the format): per operator an
``operator.toml``, one price list per effective date, and zone maps versioned apart from
the prices. :func:`load_rate_book` reads and checks them once per process into frozen
dataclasses indexed for :func:`app.services.postage.quote`; :func:`check_rate_tables`
reads them afresh and reports every problem, with the destinations each operator leaves
uncovered (``flask rates check``).

Weight bounds are kept in grams, converted exactly (1 oz = 28.349523125 g), so a piece's
weight is compared with them without rounding.
"""

import bisect
import dataclasses
import datetime as dt
import functools
import itertools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from decimal import InvalidOperation
from decimal import localcontext
from pathlib import Path
from types import MappingProxyType

from babel.numbers import get_currency_precision

from app.services import countries
from app.services.errors import N_
from app.services.errors import english
from models.mailing import Kind

RATES_DIR = Path(__file__).resolve().parent.parent / "data" / "rates"
OUNCE_G = Decimal("28.349523125")
# The bound of a step that holds whatever the piece weighs (a postcard).
ANY_WEIGHT = Decimal("Infinity")
# The zone of a destination among the operator's own origin countries.
DOMESTIC = "domestic"
# FACTS.md rates every figure A, B, C or U; only A and B are fit to price a letter.
CONFIDENCES = frozenset({"A", "B"})
UNIT_GRAMS = {"g": Decimal(1), "oz": OUNCE_G}
KINDS = frozenset(k.value for k in Kind)
STAMP_STYLES = frozenset({"count", "face", "imprint"})
# What a weight step says; ``limit`` is a neutral weight such as "3.5 oz".
UP_TO = N_("up to %(limit)s")
ANY_WEIGHT_WORDS = N_("any weight")


@dataclass(frozen=True, slots=True)
class Stamp:
    """How to pay a price in stamps: ``count`` ("1 Global Forever stamp"), ``face``
    ("£3.20 international stamp") or ``imprint`` ("CA$0.87 postage meter imprint")."""

    name: str
    style: str
    value_minor: int | None  # what one stamp pays; None for an imprint


@dataclass(frozen=True, slots=True)
class Step:
    """One "weight not over" step of one product, in grams."""

    max_g: Decimal  # inclusive; ANY_WEIGHT for a postcard of any weight
    label: str  # "up to 1 oz", "any weight": step_message(limit) in English
    amount_minor: int
    amount: Decimal
    product: str
    stamp: Stamp | None
    source: str
    confidence: str
    limit: str | None  # the bound in the operator's unit, "1 oz"; None: any weight


def step_message(limit: str | None) -> tuple[str, dict[str, str]]:
    """Say what a weight step covers, as a template and its params to translate.

    *limit* is a :attr:`Step.limit` ("1 oz"), or ``None`` for a step of any weight.
    """
    return (UP_TO, {"limit": limit}) if limit is not None else (ANY_WEIGHT_WORDS, {})


@dataclass(frozen=True, slots=True)
class Prices:
    """The steps of one kind to one zone under one choice of options, lightest first."""

    bounds: tuple[Decimal, ...]  # step.max_g of each step, for bisect
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Surcharge:
    """An amount added to a piece, e.g. USPS's nonmachinable surcharge on letters."""

    id: str
    amount_minor: int


@dataclass(frozen=True)
class ZoneMap:
    """An operator's destinations and their zones, as of one edition."""

    id: str  # "usps/zones/2025-10-05"
    edition: dt.date
    source: str
    confidence: str
    lookup: Mapping[str, str]  # country -> zone, the operator's origins as DOMESTIC
    not_served: frozenset[str]
    sets: Mapping[str, tuple[str, ...]]  # a column name -> the zones it prices


@dataclass(frozen=True)
class RateTable:
    """One published price list, in force from ``effective_from`` until the next one
    (or to ``valid_until`` when a change of unknown date follows)."""

    id: str  # "usps/2025-07-13"
    operator: str
    effective_from: dt.date
    valid_until: dt.date | None
    source: str
    confidence: str
    partial: bool  # only part of the operator's list is known
    note: str
    zone_map: ZoneMap
    # (kind, zone, option values in the operator's option order) -> prices
    prices: Mapping[tuple[str, str, tuple[str, ...]], Prices]
    priced: frozenset[tuple[str, str]]  # (kind, zone) priced under some options
    surcharges: Mapping[tuple[str, str, str], Surcharge]  # (surcharge id, kind, zone)


@dataclass(frozen=True)
class Option:
    """A choice that changes a price, e.g. Royal Mail's ``class``."""

    name: str
    label: str
    values: tuple[str, ...]
    default: str


@dataclass(frozen=True)
class Operator:
    """A postal service, the countries it posts from and its price lists by date."""

    id: str
    name: str
    currency: str
    exponent: int  # digits of the minor unit
    unit: str  # "g" or "oz": the unit its lists give weights in
    origins: frozenset[str]
    options: Mapping[str, Option]
    default_options: tuple[str, ...]
    surcharge_kinds: Mapping[str, frozenset[str]]  # surcharge id -> kinds it applies to
    tables: tuple[RateTable, ...]  # by effective_from
    dates: tuple[dt.date, ...]

    def table_on(self, on: dt.date) -> RateTable | None:
        """Return the table in force on *on* (latest ``effective_from <= on``), if any."""
        i = bisect.bisect_right(self.dates, on) - 1
        return self.tables[i] if i >= 0 else None


@dataclass(frozen=True)
class RateBook:
    """Every operator's tables, and the operator that prices post from each country."""

    operators: Mapping[str, Operator]
    by_origin: Mapping[str, Operator]


@dataclass(frozen=True)
class Problem:
    """Something wrong in one rate file; ``path`` is relative to the rates folder."""

    path: str
    message: str


@dataclass(frozen=True)
class Uncovered:
    """A destination an operator has no price for, and why."""

    code: str
    reason: str  # "no service", "not in the zone map" or "no published price"


@dataclass(frozen=True)
class RateCheckReport:
    """What ``flask rates check`` prints."""

    tables: tuple[str, ...]
    zone_maps: tuple[str, ...]
    problems: tuple[Problem, ...]
    notes: tuple[tuple[str, str], ...]  # (table id, note) for staff to act on
    uncovered: Mapping[str, tuple[Uncovered, ...]]  # operator id -> destinations

    @property
    def ok(self) -> bool:
        return not self.problems


class RateDataError(Exception):
    """The rate tables have problems; ``problems`` lists them all."""

    def __init__(self, problems: tuple[Problem, ...]):
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))
        self.problems = problems


def load_rate_book(*, root: Path | None = None) -> RateBook:
    """Return every rate table under *root* (default ``app/data/rates``), read once.

    :raises RateDataError: if any file has a problem; nothing is priced from bad data.
    """
    return _load(Path(root) if root is not None else RATES_DIR)


@functools.cache
def _load(root: Path) -> RateBook:
    book, problems = _read_book(root)
    if problems:
        raise RateDataError(problems)
    return book


def check_rate_tables(*, root: Path | None = None, on: dt.date | None = None) -> RateCheckReport:
    """Read every table afresh, list its problems and the destinations left uncovered.

    Coverage is judged on the tables in force on *on* (default: each operator's latest).
    Never raises for bad data: the problems are the report.
    """
    book, problems = _read_book(Path(root) if root is not None else RATES_DIR)
    tables = [t for op in book.operators.values() for t in op.tables]
    zone_maps = sorted({t.zone_map.id for t in tables})
    return RateCheckReport(
        tables=tuple(t.id for t in tables),
        zone_maps=tuple(zone_maps),
        problems=problems,
        notes=tuple((t.id, t.note) for t in tables if t.note),
        uncovered=uncovered_destinations(book, on=on),
    )


def uncovered_destinations(
    book: RateBook, *, on: dt.date | None = None
) -> Mapping[str, tuple[Uncovered, ...]]:
    """List, per operator, the countries it has no price for at all on *on*.

    A country counts as covered when any kind of piece to it has a price. Without *on*,
    each operator's latest table is used.
    """
    result = {}
    for op in book.operators.values():
        table = op.table_on(on) if on is not None else (op.tables[-1] if op.tables else None)
        if table is None:
            result[op.id] = tuple(Uncovered(c, "no table") for c in sorted(countries.all_codes()))
            continue
        priced_zones = {zone for _kind, zone in table.priced}
        missing = []
        for code in sorted(countries.all_codes()):
            zone = table.zone_map.lookup.get(code)
            if code in table.zone_map.not_served:
                missing.append(Uncovered(code, "no service"))
            elif zone is None:
                missing.append(Uncovered(code, "not in the zone map"))
            elif zone not in priced_zones:
                missing.append(Uncovered(code, "no published price"))
        result[op.id] = tuple(missing)
    return MappingProxyType(result)


# Reading -------------------------------------------------------------------------------


class _Skip(Exception):
    """The item being read cannot be used; its problem is already recorded."""


# Marks a key that must be present (its absence is a problem, not a default).
_REQUIRED = object()


class _File:
    """Problems found while reading one file."""

    def __init__(self, root: Path, path: Path, problems: list[Problem]):
        self.where = path.relative_to(root).as_posix()
        self.problems = problems

    def bad(self, message: str) -> None:
        problem = Problem(self.where, message)
        # One mistake can show under several option choices; report it once.
        if problem not in self.problems:
            self.problems.append(problem)

    def get(self, data: Mapping, key: str, types: type | tuple, what: str, *, default=_REQUIRED):
        value = data.get(key, _REQUIRED)
        if value is _REQUIRED:
            if default is _REQUIRED:
                self.bad(f"{key} is missing")
                raise _Skip
            return default
        # TOML dates parse as date, datetimes as datetime (a date subclass): refuse those.
        wrong = isinstance(value, bool) and bool not in _as_tuple(types)
        wrong = wrong or (isinstance(value, dt.datetime) and dt.datetime not in _as_tuple(types))
        if wrong or not isinstance(value, types):
            self.bad(f"{key} must be {what}")
            raise _Skip
        return value

    def strings(self, data: Mapping, key: str, *, default=_REQUIRED) -> tuple[str, ...]:
        value = self.get(data, key, list, "a list of strings", default=default)
        if value is default:
            return value
        if not all(isinstance(v, str) for v in value):
            self.bad(f"{key} must be a list of strings")
            raise _Skip
        return tuple(value)

    def read(self, path: Path) -> dict:
        try:
            with path.open("rb") as f:
                return tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            self.bad(f"cannot be read: {exc}")
            raise _Skip from None


def _as_tuple(types) -> tuple:
    return types if isinstance(types, tuple) else (types,)


def _read_book(root: Path) -> tuple[RateBook, tuple[Problem, ...]]:
    problems: list[Problem] = []
    operators = {}
    by_origin: dict[str, Operator] = {}
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    if not folders:
        problems.append(Problem(".", f"no operator folders in {root}"))
    for folder in folders:
        op = _read_operator(root, folder, problems)
        if op is None:
            continue
        operators[op.id] = op
        for code in sorted(op.origins):
            if code in by_origin:
                problems.append(
                    Problem(
                        f"{op.id}/operator.toml",
                        f"origin {code} is also {by_origin[code].id}'s",
                    )
                )
            else:
                by_origin[code] = op
    book = RateBook(operators=MappingProxyType(operators), by_origin=MappingProxyType(by_origin))
    return book, tuple(problems)


def _read_operator(root: Path, folder: Path, problems: list[Problem]) -> Operator | None:
    f = _File(root, folder / "operator.toml", problems)
    try:
        data = f.read(folder / "operator.toml")
        name = f.get(data, "name", str, "a string")
        currency = f.get(data, "currency", str, "an ISO 4217 code")
        if len(currency) != 3 or not currency.isupper():
            f.bad(f"currency {currency!r} is not an ISO 4217 code")
        unit = f.get(data, "unit", str, "g or oz")
        if unit not in UNIT_GRAMS:
            f.bad(f"unit must be g or oz, not {unit!r}")
            raise _Skip
        origins = f.strings(data, "origins")
        for code in origins:
            if not countries.is_country(code):
                f.bad(f"origin {code!r} is not a country code")
        options = {}
        for opt_name, spec in f.get(data, "options", dict, "a table", default={}).items():
            values = f.strings(spec, "values")
            default = f.get(spec, "default", str, "a string")
            if not values or default not in values:
                f.bad(f"option {opt_name}: default {default!r} is not one of its values")
            options[opt_name] = Option(
                opt_name, f.get(spec, "label", str, "a string", default=opt_name), values, default
            )
        surcharge_kinds = {}
        for sid, kinds in f.get(data, "surcharges", dict, "a table", default={}).items():
            kinds = f.strings({sid: kinds}, sid)
            for kind in kinds:
                if kind not in KINDS:
                    f.bad(f"surcharge {sid}: {kind!r} is not a kind")
            surcharge_kinds[sid] = frozenset(kinds)
    except _Skip:
        return None

    op = Operator(
        id=folder.name,
        name=name,
        currency=currency,
        exponent=get_currency_precision(currency),
        unit=unit,
        origins=frozenset(origins),
        options=MappingProxyType(options),
        default_options=tuple(o.default for o in options.values()),
        surcharge_kinds=MappingProxyType(surcharge_kinds),
        tables=(),
        dates=(),
    )
    zone_maps = {}
    for path in sorted((folder / "zones").glob("*.toml")):
        zone_map = _read_zone_map(root, path, op, problems)
        if zone_map is not None:
            zone_maps[path.stem] = zone_map
    tables = []
    for path in sorted(folder.glob("*.toml")):
        if path.name != "operator.toml":
            table = _read_table(root, path, op, zone_maps, problems)
            if table is not None:
                tables.append(table)
    tables.sort(key=lambda t: t.effective_from)
    _check_sequence(root, folder, tables, problems)
    return dataclasses.replace(
        op, tables=tuple(tables), dates=tuple(t.effective_from for t in tables)
    )


def _check_sequence(root: Path, folder: Path, tables: list[RateTable], problems: list[Problem]):
    # Each table is named by its date, so no two share one; but a table that says it holds
    # past the next one's start contradicts it.
    for before, after in itertools.pairwise(tables):
        where = f"{folder.relative_to(root).as_posix()}/{after.effective_from}.toml"
        if before.valid_until is not None and before.valid_until >= after.effective_from:
            problems.append(
                Problem(where, f"{before.id} claims to hold until {before.valid_until}")
            )


def _file_date(f: _File, path: Path) -> dt.date:
    try:
        return dt.date.fromisoformat(path.stem)
    except ValueError:
        f.bad("the file name must be a date (YYYY-MM-DD.toml)")
        raise _Skip from None


def _read_zone_map(root: Path, path: Path, op: Operator, problems: list[Problem]):
    f = _File(root, path, problems)
    try:
        edition = _file_date(f, path)
        data = f.read(path)
        if f.get(data, "edition", dt.date, "a date") != edition:
            f.bad("edition must match the file name")
        source = f.get(data, "source", str, "a string")
        confidence = _confidence(f, data)
        default = f.get(data, "default", str, "a zone name", default=None)
        not_served = frozenset(f.strings(data, "not_served", default=()))
        lookup = dict.fromkeys(op.origins, DOMESTIC)
        for code in sorted(not_served):
            if not countries.is_country(code):
                f.bad(f"{code!r} is not a country code")
            elif code in op.origins:
                f.bad(f"{code} is an origin of {op.name}, so it cannot be unserved")
        for zone, codes in f.get(data, "zones", dict, "a table", default={}).items():
            if zone == DOMESTIC:
                f.bad("the domestic zone is the operator's origins; do not list it")
            for code in f.strings({zone: codes}, zone):
                if not countries.is_country(code):
                    f.bad(f"zone {zone}: {code!r} is not a country code")
                elif code in lookup:
                    f.bad(f"{code} is in zone {zone} and in zone {lookup[code]}")
                elif code in not_served:
                    f.bad(f"{code} is in zone {zone} and not served")
                else:
                    lookup[code] = zone
        zone_names = set(lookup.values()) | ({default} if default else set())
        if default is not None:
            for code in countries.all_codes() - lookup.keys() - not_served:
                lookup[code] = default
        sets = {}
        for set_name, zones in f.get(data, "sets", dict, "a table", default={}).items():
            zones = f.strings({set_name: zones}, set_name)
            for zone in zones:
                if zone not in zone_names:
                    f.bad(f"set {set_name}: no zone {zone!r}")
            sets[set_name] = zones
    except _Skip:
        return None
    return ZoneMap(
        id=f"{op.id}/zones/{edition}",
        edition=edition,
        source=source,
        confidence=confidence,
        lookup=MappingProxyType(lookup),
        not_served=not_served,
        sets=MappingProxyType(sets),
    )


def _confidence(f: _File, data: Mapping, default=_REQUIRED) -> str:
    confidence = f.get(data, "confidence", str, "A or B", default=default)
    if confidence not in CONFIDENCES:
        f.bad(f"confidence {confidence!r}: only figures rated A or B are loaded")
        raise _Skip
    return confidence


def _read_table(root: Path, path: Path, op: Operator, zone_maps: dict, problems: list[Problem]):
    f = _File(root, path, problems)
    try:
        effective_from = _file_date(f, path)
        data = f.read(path)
        declared = f.get(data, "effective_from", dt.date, "a date")
        if declared != effective_from:
            # The file name is the table's date, so two tables can never share one.
            f.bad(f"effective_from {declared} must match the file name (one table per date)")
        valid_until = f.get(data, "valid_until", dt.date, "a date", default=None)
        if valid_until is not None and valid_until < effective_from:
            f.bad("valid_until is before effective_from")
        source = f.get(data, "source", str, "a string")
        confidence = _confidence(f, data)
        partial = f.get(data, "partial", bool, "true or false")
        note = f.get(data, "note", str, "a string", default="")
        zone_map = zone_maps.get(f.get(data, "zone_map", str, "a zone map edition"))
        if zone_map is None:
            f.bad(f"no zone map {op.id}/zones/{data['zone_map']}.toml")
            raise _Skip
        stamps = _read_stamps(f, data)
    except _Skip:
        return None

    columns_of = _column_resolver(f, zone_map)
    combos = list(itertools.product(*(o.values for o in op.options.values())))
    ladders: dict[tuple[str, str, tuple[str, ...]], list[Step]] = {}
    for i, spec in enumerate(f.get(data, "products", list, "an array of tables", default=[])):
        try:
            _read_product(f, i, spec, op, columns_of, stamps, source, confidence, combos, ladders)
        except _Skip:
            continue
    prices = {}
    for (kind, zone, combo), steps in ladders.items():
        steps.sort(key=lambda s: s.max_g)
        if _ladder_ok(f, kind, zone, steps):
            prices[kind, zone, combo] = Prices(tuple(s.max_g for s in steps), tuple(steps))
    priced = frozenset((kind, zone) for kind, zone, _combo in prices)
    if not partial:
        # A table that claims to be complete prices every kind to every zone it maps.
        for zone in sorted(set(zone_map.lookup.values())):
            for kind in sorted(KINDS):
                if (kind, zone) not in priced:
                    f.bad(f"no price for a {kind} to zone {zone}, but partial = false")
    try:
        surcharges = _read_surcharges(f, data, op, columns_of)
    except _Skip:
        return None
    if any(p.path == f.where for p in problems):
        return None
    return RateTable(
        id=f"{op.id}/{effective_from}",
        operator=op.id,
        effective_from=effective_from,
        valid_until=valid_until,
        source=source,
        confidence=confidence,
        partial=partial,
        note=note,
        zone_map=zone_map,
        prices=MappingProxyType(prices),
        priced=priced,
        surcharges=MappingProxyType(surcharges),
    )


def _read_stamps(f: _File, data: Mapping) -> dict[str, Stamp]:
    stamps = {}
    for stamp_id, spec in f.get(data, "stamps", dict, "a table", default={}).items():
        style = f.get(spec, "style", str, "count, face or imprint", default="count")
        if style not in STAMP_STYLES:
            f.bad(f"stamp {stamp_id}: style must be count, face or imprint")
            raise _Skip
        value = None
        if style != "imprint":
            value = f.get(spec, "value", int, "an amount in minor units")
            if value <= 0:
                f.bad(f"stamp {stamp_id}: value must be positive")
        stamps[stamp_id] = Stamp(f.get(spec, "name", str, "a string"), style, value)
    return stamps


def _column_resolver(f: _File, zone_map: ZoneMap):
    zone_names = set(zone_map.lookup.values())

    def columns_of(label: str) -> tuple[str, ...]:
        if label in zone_map.sets:
            return zone_map.sets[label]
        if label in zone_names:
            return (label,)
        f.bad(f"column {label!r} is neither a zone nor a set of {zone_map.id}")
        raise _Skip

    return columns_of


def _read_product(f, i, spec, op, columns_of, stamps, source, confidence, combos, ladders):
    if not isinstance(spec, dict):
        f.bad(f"products[{i}] must be a table")
        raise _Skip
    name = f.get(spec, "name", str, "a string")
    kinds = f.strings(spec, "kinds")
    for kind in kinds:
        if kind not in KINDS:
            f.bad(f"{name}: {kind!r} is not a kind (postcard, letter, large_envelope)")
            raise _Skip
    labels = f.strings(spec, "columns")
    columns = [columns_of(label) for label in labels]
    flat = [zone for zones in columns for zone in zones]
    if not flat or len(flat) != len(set(flat)):
        f.bad(f"{name}: columns must name each zone once")
        raise _Skip
    stamp_id = f.get(spec, "stamp", str, "a stamp id", default=None)
    if stamp_id is not None and stamp_id not in stamps:
        f.bad(f"{name}: no stamp {stamp_id!r} in [stamps]")
        raise _Skip
    stamp = stamps.get(stamp_id)
    source = f.get(spec, "source", str, "a string", default=source)
    confidence = _confidence(f, spec, default=confidence)
    when = _read_when(f, name, spec, op)
    unit = UNIT_GRAMS[op.unit]
    rows = f.get(spec, "steps", list, "an array of rows")
    if not rows:
        f.bad(f"{name}: no steps")
        raise _Skip
    bounds = []
    for row in rows:
        if not isinstance(row, list) or not row:
            f.bad(f"{name}: each step is a list: a weight, then one price per column")
            raise _Skip
        if len(row) != 1 + len(labels):
            f.bad(
                f"{name}: up to {row[0]}: {len(row) - 1} prices for {len(labels)} columns; "
                "every column needs a price"
            )
            raise _Skip
        bound = _bound(f, name, row[0])
        amounts = row[1:]
        if not all(isinstance(a, int) and not isinstance(a, bool) and a > 0 for a in amounts):
            f.bad(f"{name}: up to {row[0]}: every column needs a price in minor units")
            raise _Skip
        bounds.append((bound, amounts))
    for (low, _), (high, _) in itertools.pairwise(bounds):
        if high <= low:
            f.bad(f"{name}: steps must increase ({_plain(low)} then {_plain(high)})")
            raise _Skip
    scale = Decimal(1).scaleb(-op.exponent)
    for combo in combos:
        if not all(combo[j] in allowed for j, allowed in when):
            continue
        for bound, amounts in bounds:
            limit = None if bound == ANY_WEIGHT else f"{_plain(bound)} {op.unit}"
            label = english(*step_message(limit))
            with localcontext() as ctx:
                # Exact: the product of two short decimals needs far fewer than 50 digits.
                ctx.prec = 50
                max_g = bound * unit
            for zones, amount in zip(columns, amounts, strict=True):
                step = Step(
                    max_g, label, amount, amount * scale, name, stamp, source, confidence, limit
                )
                for kind in kinds:
                    for zone in zones:
                        ladders.setdefault((kind, zone, combo), []).append(step)


def _read_when(f: _File, name: str, spec: Mapping, op: Operator) -> list[tuple[int, tuple]]:
    """Return (option position, allowed values) pairs for a product's ``when``."""
    when = []
    order = list(op.options)
    for opt_name, allowed in f.get(spec, "when", dict, "a table", default={}).items():
        if opt_name not in op.options:
            f.bad(f"{name}: {op.name} has no option {opt_name!r}")
            raise _Skip
        allowed = (allowed,) if isinstance(allowed, str) else f.strings({"when": allowed}, "when")
        for value in allowed:
            if value not in op.options[opt_name].values:
                f.bad(f"{name}: {opt_name} has no value {value!r}")
                raise _Skip
        when.append((order.index(opt_name), tuple(allowed)))
    return when


def _bound(f: _File, name: str, raw) -> Decimal:
    if raw == "any":
        return ANY_WEIGHT
    # Floats cannot hold 3.5 oz or 15.994 oz exactly; weights are strings or integers.
    if isinstance(raw, int) and not isinstance(raw, bool):
        bound = Decimal(raw)
    elif isinstance(raw, str):
        try:
            bound = Decimal(raw)
        except InvalidOperation:
            bound = Decimal("NaN")
    else:
        f.bad(f'{name}: weight {raw!r} must be a string such as "3.5", or "any"')
        raise _Skip
    if not bound.is_finite() or bound <= 0:
        f.bad(f"{name}: weight {raw!r} must be a positive number")
        raise _Skip
    return bound


def _ladder_ok(f: _File, kind: str, zone: str, steps: list[Step]) -> bool:
    ok = True
    for low, high in itertools.pairwise(steps):
        if high.max_g == low.max_g:
            f.bad(f"two prices for a {kind} to zone {zone} {low.label}")
            ok = False
        elif high.amount_minor < low.amount_minor:
            # No operator charges less for a heavier piece of the same kind.
            f.bad(f"a {kind} to zone {zone} costs less {high.label} than {low.label}")
            ok = False
    return ok


def _read_surcharges(f: _File, data: Mapping, op: Operator, columns_of) -> dict:
    surcharges = {}
    for spec in f.get(data, "surcharges", list, "an array of tables", default=[]):
        sid = f.get(spec, "id", str, "a string")
        if sid not in op.surcharge_kinds:
            f.bad(f"surcharge {sid!r} is not declared in operator.toml")
            raise _Skip
        amount = f.get(spec, "amount", int, "an amount in minor units")
        kinds = f.strings(spec, "kinds")
        if not set(kinds) <= op.surcharge_kinds[sid]:
            declared = ", ".join(sorted(op.surcharge_kinds[sid]))
            f.bad(f"surcharge {sid}: operator.toml declares it only for {declared}")
            raise _Skip
        for label in f.strings(spec, "zones"):
            for zone in columns_of(label):
                for kind in kinds:
                    if (sid, kind, zone) in surcharges:
                        f.bad(f"surcharge {sid}: two amounts for a {kind} to zone {zone}")
                    surcharges[sid, kind, zone] = Surcharge(sid, amount)
    return surcharges


def _plain(value: Decimal) -> str:
    """Write a weight without exponent or trailing zeros: 3.5, 15.994, 100."""
    return format(value.normalize(), "f")
