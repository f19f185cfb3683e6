"""Benchmark P3: slip sheets against the bare ``qrcode`` call for the same codes.

Run from the repository root: ``python benchmarks/slips.py``. Each figure is printed
beside the bare library call (``QRCode(error_correction=M, border=4)``, ``add_data``,
``make(fit=True)``: what any slip must pay for its QR code) on the same codes in the
same run, the two alternating. Ratios use this process's CPU time, which other work on
a shared machine disturbs far less than wall time; the 1-second target is wall time.
Targets (QUALITY.md, P3): a 30-slip sheet in under 1 s; per-slip cost at most 3x the
bare QR call.
"""

import datetime as dt
import statistics
import sys
import time
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import qrcode  # noqa: E402

from app.services.codes import new_code  # noqa: E402
from app.services.slips import address as addresses  # noqa: E402
from app.services.slips import qr  # noqa: E402
from app.services.slips import sheets  # noqa: E402

BASE_URL = "https://lettertrail.example.org"
REPEATS = 5


def make_slips(count: int) -> list[sheets.SlipData]:
    """Build *count* realistic slips with fresh codes (half with Cyrillic towns)."""
    address = tuple(
        addresses.address_block(
            name="President Almazbek Atambaev",
            address_lines=["Government House", "Prospekt Chuy 205"],
            city="Bishkek",
            postcode="720003",
            country="KG",
        )
    )
    result = []
    for i in range(count):
        code = new_code()
        result.append(
            sheets.SlipData(
                code=code,
                url=qr.slip_url(BASE_URL, code),
                campaign_title="Free Azimjan Askarov",
                channel="Letter",
                address=address,
                sender_town="Бишкек" if i % 2 else "Zürich",
                sent_on=dt.date(2025, 11, 20),
                postage="US$1.70 (USPS First-Class Mail International, 1 oz)",
                stamps="1 Global Forever stamp",
            )
        )
    return result


def bare_qr(urls: list[str]) -> None:
    """The baseline: what the qrcode library does for each code, nothing else."""
    for url in urls:
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
        qr.add_data(url)
        qr.make(fit=True)
        qr.get_matrix()


class Timing(NamedTuple):
    """Medians over the repeats, in seconds."""

    wall: float
    cpu: float


def timed(func, arg) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    func(arg)
    return Timing(time.perf_counter() - wall, time.process_time() - cpu)


def median(timings: list[Timing]) -> Timing:
    return Timing(*(statistics.median(t) for t in zip(*timings, strict=True)))


def paired(ours, arg, *, repeats: int) -> tuple[Timing, Timing]:
    """Time *ours(arg)* and the bare QR call on the same URLs, alternately."""
    urls = [slip.url for slip in arg] if isinstance(arg[0], sheets.SlipData) else arg
    ours_times, base_times = [], []
    for _ in range(repeats):
        base_times.append(timed(bare_qr, urls))
        ours_times.append(timed(ours, arg))
    return median(ours_times), median(base_times)


def svgs(urls: list[str]) -> None:
    """What the HTML slips pay for their QR codes."""
    for url in urls:
        qr.qr_svg(url)


def row(label: str, count: int, ours: Timing, base: Timing) -> float:
    ratio = ours.cpu / base.cpu
    print(
        f"{label:<21} {ours.wall * 1000:7.0f} ms wall {ours.cpu * 1000:7.0f} ms CPU"
        f" {ours.cpu / count * 1000:5.2f} ms/slip | bare QR {base.cpu * 1000:7.0f} ms CPU"
        f" {base.cpu / count * 1000:5.2f} ms/code | ratio {ratio:4.2f}x"
    )
    return ratio


def main() -> None:
    """Print the figures."""
    cold = timed(sheets.slips_pdf, make_slips(30))
    print(f"first 30-slip sheet in a fresh process (imports, fonts): {cold.wall * 1000:.0f} ms")
    empty = median([timed(sheets.slips_pdf, []) for _ in range(REPEATS)])
    print(f"fixed cost of any sheet (fonts loaded and subset): {empty.cpu * 1000:.0f} ms CPU")
    print("medians; ours and the bare QR call alternate on the same codes\n")

    sheet, base = paired(sheets.slips_pdf, make_slips(30), repeats=REPEATS)
    ratios = [row("30-slip PDF sheet", 30, sheet, base)]
    big, big_base = paired(sheets.slips_pdf, make_slips(1000), repeats=3)
    ratios.append(row("1,000-slip PDF sheet", 1000, big, big_base))
    urls = [slip.url for slip in make_slips(1000)]
    row("1,000 HTML slip SVGs", 1000, *paired(svgs, urls, repeats=3))

    marginal = (big.cpu - empty.cpu) / 1000
    print(f"\nmarginal cost of one more slip on a sheet: {marginal * 1000:.2f} ms CPU")
    print(
        f"P3: 30-slip sheet < 1 s: {'met' if sheet.wall < 1 else 'MISSED'}"
        f" ({sheet.wall:.2f} s wall); per-slip cost <= 3x the bare QR call:"
        f" {'met' if max(ratios) <= 3 else 'MISSED'} (worst {max(ratios):.2f}x)"
    )


if __name__ == "__main__":
    main()
