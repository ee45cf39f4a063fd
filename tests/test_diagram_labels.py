"""The flywheel diagram's stage names: along the ring, at a size that keeps them inside their segment."""

import math

import pytest

from audits.content.diagram import LABEL_CHAR_WIDTH, LABEL_LINE_HEIGHT, LABEL_SIZE, LEAST_LABEL_SIZE, label_size, ring

STAGES = ["attract", "engage", "delight"]
CX = CY = 220.0
OUTER, INNER = 170.0, 104.0


def test_labels_run_along_the_ring_and_read_left_to_right():
    # Attract on the upper right turns down the ring, Engage at the bottom stays level, Delight turns up.
    assert [arc.label_rotation for arc in ring(STAGES, CX, CY, OUTER, INNER)] == [60, 0, 300]
    assert [arc.label_rotation for arc in ring(["a", "b", "c", "d"], CX, CY, OUTER, INNER, gap_degrees=0)] == [
        45,
        315,
        45,
        315,
    ]


def test_short_names_keep_the_full_size_and_long_ones_shrink():
    arcs = ring(STAGES, CX, CY, OUTER, INNER, labels=["Attract", "Engage", "Delight"])
    assert [arc.label_size for arc in arcs] == [LABEL_SIZE] * 3
    long_name = ring(STAGES, CX, CY, OUTER, INNER, labels=["Attract", "Engage", "Delighting every customer"])
    assert LEAST_LABEL_SIZE <= long_name[2].label_size < LABEL_SIZE


def test_a_name_too_long_for_any_size_gets_the_least():
    assert label_size("Customer delight, advocacy and referrals", OUTER, INNER, 116) == LEAST_LABEL_SIZE


@pytest.mark.parametrize("label", ["Delight", "Làm hài lòng", "رضایت", "Delighting customers"])
def test_a_fitted_label_stays_inside_its_segment(label):
    size = label_size(label, OUTER, INNER, 116)
    assert size > LEAST_LABEL_SIZE
    half_width, half_height = len(label) * LABEL_CHAR_WIDTH * size / 2, LABEL_LINE_HEIGHT * size / 2
    middle = (OUTER + INNER) / 2
    # The label's corners, with the label level at the top of the ring (any segment is this one turned).
    for along, across in ((-half_width, half_height), (half_width, half_height), (half_width, -half_height)):
        distance = math.hypot(along, middle + across)
        assert INNER <= distance <= OUTER, (label, size)
        assert abs(math.degrees(math.atan2(along, middle + across))) < 116 / 2
