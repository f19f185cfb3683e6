"""Benchmark P2 (QUALITY.md): random postage quotes per second, beside a dictionary lookup.

Run from the repository root: ``python benchmarks/postage.py [--count 100000] [--seed 1]``.

It draws pieces the tables price (five operators, every kind, weights to 2 kg, posting
days 2016-2026), then times :func:`app.services.postage.quote` on them and, in the same
run, a plain ``dict`` lookup of the same pieces' precomputed prices: the fastest any
pricing could be. A second line times random pieces including the ones refused with
NoPublishedPrice. Exits 1 if the quote rate is under the 50,000 quotes/s target.
"""

import argparse
import datetime as dt
import random
import sys
import time
from decimal import Decimal

from app.services import countries
from app.services.postage import NoPublishedPrice
from app.services.postage import quote
from app.services.rates import load_rate_book

TARGET = 50_000  # quotes per second (QUALITY.md P2)
ORIGINS = ("US", "US", "US", "PR", "GB", "CA", "DE", "AU")
KINDS = ("letter", "letter", "postcard", "large_envelope")
FIRST_DAY = dt.date(2016, 1, 1)
LAST_DAY = dt.date(2026, 11, 27)


def draw(rng: random.Random, destinations: list[str]) -> tuple:
    """One random piece: origin, destination, kind, weight (g), posting day."""
    origin = rng.choice(ORIGINS)
    # Some post stays at home, as letters to prisoners inside the country do.
    destination = origin if rng.random() < 0.3 else rng.choice(destinations)
    weight = Decimal(rng.choice((rng.randint(1, 100_000), rng.randint(1, 2_000_000)))) / 1000
    day = FIRST_DAY + dt.timedelta(days=rng.randint(0, (LAST_DAY - FIRST_DAY).days))
    return origin, destination, rng.choice(KINDS), weight, day


def priced_pieces(rng, destinations, count, book) -> tuple[list[tuple], dict[tuple, int]]:
    """Draw *count* pieces the tables price, with their prices."""
    pieces, prices = [], {}
    while len(pieces) < count:
        piece = draw(rng, destinations)
        try:
            q = quote(
                origin=piece[0],
                destination=piece[1],
                kind=piece[2],
                weight_g=piece[3],
                on=piece[4],
                book=book,
            )
        except NoPublishedPrice:
            continue
        pieces.append(piece)
        prices[piece] = q.amount_minor
    return pieces, prices


def time_quotes(pieces, book) -> tuple[float, int]:
    refused = 0
    start = time.perf_counter()
    for origin, destination, kind, weight, day in pieces:
        try:
            quote(
                origin=origin,
                destination=destination,
                kind=kind,
                weight_g=weight,
                on=day,
                book=book,
            )
        except NoPublishedPrice:
            refused += 1
    return time.perf_counter() - start, refused


def time_lookups(pieces, prices) -> float:
    start = time.perf_counter()
    for origin, destination, kind, weight, day in pieces:
        prices[origin, destination, kind, weight, day]
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()

    start = time.perf_counter()
    book = load_rate_book()
    load_ms = (time.perf_counter() - start) * 1000
    rng = random.Random(args.seed)
    destinations = sorted(countries.all_codes())
    pieces, prices = priced_pieces(rng, destinations, args.count, book)
    mixed = [draw(rng, destinations) for _ in range(args.count)]

    quotes_s = min(time_quotes(pieces, book)[0] for _ in range(args.repeat))
    lookups_s = min(time_lookups(pieces, prices) for _ in range(args.repeat))
    mixed_s, refused = min(time_quotes(mixed, book) for _ in range(args.repeat))

    rate = args.count / quotes_s
    baseline = args.count / lookups_s
    tables = sum(len(op.tables) for op in book.operators.values())
    print(f"postage quotes (P2): {args.count:,} random priced pieces, best of {args.repeat}")
    rows = [
        ("rate tables, loaded once", f"{load_ms:.1f} ms for {tables} tables"),
        ("quote()", f"{rate:,.0f} quotes/s ({1e6 / rate:.2f} µs each)"),
        ("dict lookup baseline", f"{baseline:,.0f} lookups/s ({1e6 / baseline:.2f} µs each)"),
        ("ratio quote / baseline", f"{rate / baseline:.3f}"),
        (f"with {refused / args.count:.0%} refused", f"{args.count / mixed_s:,.0f} quotes/s"),
    ]
    for label, value in rows:
        print(f"  {label:<26} {value}")
    met = rate >= TARGET
    print(f"  {f'target >= {TARGET:,}/s':<26} {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
