"""Geometry for the inline SVG flywheel diagram and sparklines; angles run clockwise from the top."""

import math
from dataclasses import dataclass, replace
from decimal import Decimal

# How far outside the ring a stage's callout sits, as a fraction of the ring's thickness.
CALLOUT_OFFSET = 0.4
# Near the top and bottom of the ring a callout is centred; elsewhere it leans away from the ring.
CENTRED_CALLOUT_DEGREES = 15
# A stage's name inside its segment: bold, at most this size (SVG user units), shrunk to fit, never below the least.
LABEL_SIZE, LEAST_LABEL_SIZE = 22.0, 11.0
# Estimated advance of a bold character in ems, on the safe side (Latin, Vietnamese and Persian alike), and the
# height of a line of text as browsers box it (ascent and descent), in ems.
LABEL_CHAR_WIDTH, LABEL_LINE_HEIGHT = 0.64, 1.4


@dataclass(frozen=True)
class StageArc:
    stage: str
    path: str
    label_x: float
    label_y: float
    outer_x: float
    outer_y: float
    anchor: str
    arrow_path: str
    # The label runs along the ring (turned by this many degrees, clockwise), at a size that fits its segment.
    label_rotation: float = 0
    label_size: float = LABEL_SIZE


def ring(
    stages: list[str],
    cx: float,
    cy: float,
    outer_radius: float,
    inner_radius: float,
    gap_degrees: float = 4,
    labels: list[str] | None = None,
) -> list[StageArc]:
    """Return one ring segment per stage, the first starting at the top, in clockwise order.

    `labels`: the stages' names as shown, so that each gets a size at which it stays inside its segment.
    """
    span = 360 / len(stages) if stages else 0
    arcs = [
        _stage_arc(stage, cx, cy, outer_radius, inner_radius, index * span + gap_degrees / 2, span - gap_degrees)
        for index, stage in enumerate(stages)
    ]
    if labels is None:
        return arcs
    return [
        replace(arc, label_size=label_size(label, outer_radius, inner_radius, span - gap_degrees))
        for arc, label in zip(arcs, labels, strict=True)
    ]


def label_size(label: str, outer_radius: float, inner_radius: float, sweep: float) -> float:
    """The largest size, from LABEL_SIZE down, at which `label` fits its segment on one line along the ring.

    As the deck's flywheel does it (exports/deck.py, label_room): the label runs along the tangent at the segment's
    middle, so its outer corners must stay inside the outer edge, its inner ones outside the inner edge, and its
    ends clear of the segment's ends and of the arrow near the clockwise one.
    """
    middle_radius = (outer_radius + inner_radius) / 2
    thickness = outer_radius - inner_radius
    # The arrow takes about 0.65 of the thickness before the end (_arrow_head); keep that much clear at both ends.
    clear = math.degrees(0.8 * thickness / middle_radius)
    along = 2 * middle_radius * math.tan(math.radians(max(0.0, sweep / 2 - clear)))
    size = LABEL_SIZE
    while size > LEAST_LABEL_SIZE:
        height = LABEL_LINE_HEIGHT * size
        top = middle_radius + height / 2
        chord = 2 * math.sqrt(max(0.0, outer_radius**2 - top**2))
        fits_across = middle_radius - height / 2 >= inner_radius
        if fits_across and len(label) * LABEL_CHAR_WIDTH * size <= min(chord, along):
            break
        size -= 1
    return size


def sparkline(values: list[float | int | Decimal | None], width: float, height: float, padding: float = 2) -> str:
    """Return the "x,y x,y …" points of an SVG polyline; missing values leave a gap in x."""
    known = [float(value) for value in values if value is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    last = len(values) - 1
    points = []
    for index, value in enumerate(values):
        if value is None:
            continue
        x = padding + index / last * (width - 2 * padding) if last else width / 2
        y = padding + _from_top(float(value), low, high) * (height - 2 * padding)
        points.append(f"{_number(x)},{_number(y)}")
    return " ".join(points)


def point(cx: float, cy: float, radius: float, degrees: float) -> tuple[float, float]:
    """Return the point at `degrees` clockwise from the top; SVG's y axis points down."""
    radians = math.radians(degrees)
    return cx + radius * math.sin(radians), cy - radius * math.cos(radians)


def _stage_arc(
    stage: str, cx: float, cy: float, outer_radius: float, inner_radius: float, start: float, sweep: float
) -> StageArc:
    end, middle = start + sweep, start + sweep / 2
    thickness = outer_radius - inner_radius
    label_x, label_y = point(cx, cy, (outer_radius + inner_radius) / 2, middle)
    outer_x, outer_y = point(cx, cy, outer_radius + CALLOUT_OFFSET * thickness, middle)
    return StageArc(
        stage=stage,
        path=_annular_sector(cx, cy, outer_radius, inner_radius, start, end),
        label_x=round(label_x, 2),
        label_y=round(label_y, 2),
        outer_x=round(outer_x, 2),
        outer_y=round(outer_y, 2),
        anchor=_anchor(middle),
        arrow_path=_arrow_head(cx, cy, outer_radius, inner_radius, end),
        label_rotation=_along_the_ring(middle),
    )


def _along_the_ring(degrees: float) -> float:
    """The turn that lays a label along the ring at `degrees`; the lower half is turned back to read left to right."""
    rotation = degrees % 360
    if 90 < rotation < 270:
        rotation -= 180
    return round(rotation % 360, 2)


def _annular_sector(cx: float, cy: float, outer_radius: float, inner_radius: float, start: float, end: float) -> str:
    large_arc = 1 if end - start > 180 else 0
    outer_start, outer_end = point(cx, cy, outer_radius, start), point(cx, cy, outer_radius, end)
    inner_end, inner_start = point(cx, cy, inner_radius, end), point(cx, cy, inner_radius, start)
    # Sweep flag 1 draws clockwise on screen: along the outer edge forwards, back along the inner one.
    return (
        f"M {_pair(outer_start)} A {_number(outer_radius)} {_number(outer_radius)} 0 {large_arc} 1 {_pair(outer_end)} "
        f"L {_pair(inner_end)} A {_number(inner_radius)} {_number(inner_radius)} 0 {large_arc} 0 {_pair(inner_start)} Z"
    )


def _arrow_head(cx: float, cy: float, outer_radius: float, inner_radius: float, end: float) -> str:
    """Return a triangle inside the segment, just short of its clockwise end, pointing clockwise."""
    thickness = outer_radius - inner_radius
    middle_radius = (outer_radius + inner_radius) / 2
    tip_angle = end - math.degrees(0.2 * thickness / middle_radius)
    base_angle = tip_angle - math.degrees(0.45 * thickness / middle_radius)
    tip = point(cx, cy, middle_radius, tip_angle)
    base_outer = point(cx, cy, middle_radius + 0.3 * thickness, base_angle)
    base_inner = point(cx, cy, middle_radius - 0.3 * thickness, base_angle)
    return f"M {_pair(base_outer)} L {_pair(tip)} L {_pair(base_inner)} Z"


def _anchor(degrees: float) -> str:
    offset = degrees % 180
    if offset < CENTRED_CALLOUT_DEGREES or offset > 180 - CENTRED_CALLOUT_DEGREES:
        return "middle"
    return "start" if degrees % 360 < 180 else "end"


def _from_top(value: float, low: float, high: float) -> float:
    """Return where value sits from high (0) down to low (1); the middle when all values are equal."""
    return 0.5 if high == low else (high - value) / (high - low)


def _pair(xy: tuple[float, float]) -> str:
    return f"{_number(xy[0])},{_number(xy[1])}"


def _number(value: float) -> str:
    """Return the value rounded to 2 decimals, without trailing zeros: "12.5", "100", never "-0"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
