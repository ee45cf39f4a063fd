import math
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audits.content.diagram import point, ring, sparkline

STAGES = ["Attract", "Engage", "Delight"]
CX, CY, OUTER, INNER = 150.0, 140.0, 100.0, 60.0
# Coordinates are rounded to 2 decimals, so a point can be off its circle by up to ~0.71 * 0.01.
TOLERANCE = 0.01


def commands(path: str) -> list[tuple[str, list[float]]]:
    """Split an SVG path into (command, numbers) pairs."""
    return [
        (letter, [float(number) for number in re.findall(r"-?\d+(?:\.\d+)?", arguments)])
        for letter, arguments in re.findall(r"([MLAZ])([^MLAZ]*)", path)
    ]


def angle(x: float, y: float) -> float:
    """Degrees clockwise from the top, as seen on screen."""
    return math.degrees(math.atan2(x - CX, CY - y)) % 360


def distance(x: float, y: float) -> float:
    return math.hypot(x - CX, y - CY)


def sector(path: str) -> dict:
    """Read an annular sector path: M outer start, A to outer end, L inner end, A to inner start, Z."""
    (move, start), (arc1, outer), (line, inner_end), (arc2, inner), (close, _) = commands(path)
    assert (move, arc1, line, arc2, close) == ("M", "A", "L", "A", "Z")
    return {"outer_start": start, "outer_arc": outer, "inner_end": inner_end, "inner_arc": inner}


def points(polyline: str) -> list[tuple[float, float]]:
    return [tuple(float(number) for number in pair.split(",")) for pair in polyline.split()]


def test_it_draws_one_segment_per_stage_in_order():
    arcs = ring(STAGES, CX, CY, OUTER, INNER)
    assert [arc.stage for arc in arcs] == STAGES


def test_it_puts_arc_endpoints_on_the_circles():
    for arc in ring(STAGES, CX, CY, OUTER, INNER):
        parts = sector(arc.path)
        outer_radius_x, outer_radius_y, _, _, _, *outer_end = parts["outer_arc"]
        inner_radius_x, inner_radius_y, _, _, _, *inner_start = parts["inner_arc"]
        assert (outer_radius_x, outer_radius_y, inner_radius_x, inner_radius_y) == (OUTER, OUTER, INNER, INNER)
        for x, y in (parts["outer_start"], outer_end):
            assert distance(x, y) == pytest.approx(OUTER, abs=TOLERANCE)
        for x, y in (parts["inner_end"], inner_start):
            assert distance(x, y) == pytest.approx(INNER, abs=TOLERANCE)


def test_it_draws_the_outer_edge_clockwise_and_the_inner_edge_back():
    for arc in ring(STAGES, CX, CY, OUTER, INNER):
        parts = sector(arc.path)
        assert parts["outer_arc"][2:5] == [0, 0, 1]  # rotation, small arc, clockwise
        assert parts["inner_arc"][2:5] == [0, 0, 0]


def test_it_starts_attract_at_the_top_and_leaves_gaps_between_segments():
    arcs = ring(STAGES, CX, CY, OUTER, INNER, gap_degrees=6)
    spans = []
    for arc in arcs:
        parts = sector(arc.path)
        start, end = angle(*parts["outer_start"]), angle(*parts["outer_arc"][5:])
        spans += [start, end]
        assert angle(*parts["inner_end"]) == pytest.approx(end, abs=0.02)
    assert spans == pytest.approx([3, 117, 123, 237, 243, 357], abs=0.02)


def test_it_places_the_labels_120_degrees_apart_in_the_middle_of_the_ring():
    arcs = ring(STAGES, CX, CY, OUTER, INNER)
    angles = [angle(arc.label_x, arc.label_y) for arc in arcs]
    assert angles == pytest.approx([60, 180, 300], abs=0.02)
    for arc in arcs:
        assert distance(arc.label_x, arc.label_y) == pytest.approx((OUTER + INNER) / 2, abs=TOLERANCE)


def test_it_places_callouts_outside_the_ring_at_the_middle_angle():
    for arc in ring(STAGES, CX, CY, OUTER, INNER):
        assert distance(arc.outer_x, arc.outer_y) > OUTER
        assert angle(arc.outer_x, arc.outer_y) == pytest.approx(angle(arc.label_x, arc.label_y), abs=0.02)


def test_it_anchors_callouts_away_from_the_ring():
    # Attract sits on the right, Engage at the bottom, Delight on the left.
    assert [arc.anchor for arc in ring(STAGES, CX, CY, OUTER, INNER)] == ["start", "middle", "end"]
    assert [arc.anchor for arc in ring(["a", "b", "c", "d"], CX, CY, OUTER, INNER, gap_degrees=0)] == [
        "start",
        "start",
        "end",
        "end",
    ]


def test_it_points_the_arrow_clockwise_near_the_end_of_each_segment():
    for arc in ring(STAGES, CX, CY, OUTER, INNER):
        parts = commands(arc.arrow_path)
        assert [letter for letter, _ in parts] == ["M", "L", "L", "Z"]
        base_outer, tip, base_inner = (numbers for _, numbers in parts[:3])
        segment = sector(arc.path)
        start, end = angle(*segment["outer_start"]), angle(*segment["outer_arc"][5:])
        middle = (start + end) / 2
        assert middle < angle(*base_outer) < angle(*tip) < end
        assert angle(*base_inner) == pytest.approx(angle(*base_outer), abs=0.02)
        for x, y in (base_outer, tip, base_inner):
            assert INNER < distance(x, y) < OUTER


def test_it_rounds_path_coordinates_to_two_decimals():
    arcs = ring(STAGES, 100.123456, 100.987654, 77.777, 33.333)
    for arc in arcs:
        for text in (arc.path, arc.arrow_path):
            assert all(len(number.split(".")[1]) <= 2 for number in re.findall(r"\d+\.\d+", text))


def test_it_draws_nothing_for_no_stages():
    assert ring([], CX, CY, OUTER, INNER) == []


@given(
    st.integers(min_value=1, max_value=8),
    st.floats(min_value=20, max_value=500),
    st.floats(min_value=0.2, max_value=0.9),
    st.floats(min_value=0, max_value=10),
)
def test_it_keeps_every_segment_on_its_circles(count, outer, inner_share, gap):
    inner = outer * inner_share
    arcs = ring([str(index) for index in range(count)], CX, CY, outer, inner, gap_degrees=gap)
    span = 360 / count
    for index, arc in enumerate(arcs):
        parts = sector(arc.path)
        assert distance(*parts["outer_start"]) == pytest.approx(outer, abs=TOLERANCE)
        assert distance(*parts["inner_end"]) == pytest.approx(inner, abs=TOLERANCE)
        assert parts["outer_arc"][3] == (1 if span - gap > 180 else 0)
        assert distance(arc.label_x, arc.label_y) == pytest.approx((outer + inner) / 2, abs=TOLERANCE)
        middle = (index + 0.5) * span
        label_angle = angle(arc.label_x, arc.label_y)
        assert min(abs(label_angle - middle), 360 - abs(label_angle - middle)) < 0.1


def test_it_measures_angles_clockwise_from_the_top():
    assert point(0, 0, 10, 0) == pytest.approx((0, -10))
    assert point(0, 0, 10, 90) == pytest.approx((10, 0))
    assert point(0, 0, 10, 180) == pytest.approx((0, 10))


def test_it_maps_the_highest_value_to_the_top_and_the_lowest_to_the_bottom():
    (x1, y1), (x2, y2), (x3, y3) = points(sparkline([3, 10, 1], width=100, height=30, padding=2))
    assert (x2, y2) == (50, 2)  # the maximum, at the top padding
    assert (x3, y3) == (98, 28)  # the minimum, at the bottom padding
    assert (x1, y1) == (2, pytest.approx(2 + 7 / 9 * 26, abs=0.005))


def test_it_spreads_the_values_over_the_width_inside_the_padding():
    xs = [x for x, _ in points(sparkline([1, 2, 3, 4, 5], width=84, height=20, padding=2))]
    assert xs == [2, 22, 42, 62, 82]


def test_it_skips_missing_values_but_keeps_their_place():
    assert points(sparkline([1, None, 3], width=24, height=10, padding=2)) == [(2, 8), (22, 2)]


def test_it_draws_equal_values_as_a_flat_line_in_the_middle():
    assert points(sparkline([5, 5, None, 5], width=34, height=10, padding=2)) == [(2, 5), (12, 5), (32, 5)]


def test_it_draws_a_single_value_in_the_middle():
    assert points(sparkline([7], width=40, height=10)) == [(20, 5)]


def test_it_draws_nothing_without_values():
    assert sparkline([], 100, 20) == ""
    assert sparkline([None, None], 100, 20) == ""


def test_it_accepts_decimals_in_a_sparkline():
    assert points(sparkline([Decimal("1.5"), Decimal("2.5")], width=14, height=14, padding=2)) == [(2, 12), (12, 2)]


@given(
    st.lists(st.none() | st.floats(min_value=-1e6, max_value=1e6), min_size=1, max_size=40),
    st.floats(min_value=10, max_value=500),
    st.floats(min_value=10, max_value=200),
)
def test_it_keeps_the_sparkline_inside_its_box(values, width, height):
    line = points(sparkline(values, width, height, padding=2))
    assert len(line) == sum(value is not None for value in values)
    for x, y in line:
        assert 2 - TOLERANCE <= x <= width - 2 + TOLERANCE
        assert 2 - TOLERANCE <= y <= height - 2 + TOLERANCE
    assert [x for x, _ in line] == sorted(x for x, _ in line)
