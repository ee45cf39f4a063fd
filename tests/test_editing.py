from datetime import date

import pytest

from audits.content.editing import Conflict, add_row, delete_row, move_row, save_cell
from audits.content.tables import TABLES
from audits.models import Audit, Force, FrictionPoint, Metric, Reading, Team

from .factories import ForceFactory, FrictionPointFactory, MetricFactory, ReadingFactory, TeamFactory

pytestmark = pytest.mark.django_db

FRICTION, READING, METRIC = TABLES["friction"], TABLES["reading"], TABLES["metric"]


def content_version(audit: Audit) -> int:
    return Audit.objects.values_list("content_version", flat=True).get(pk=audit.pk)


def stored(row):
    return type(row).objects.get(pk=row.pk)


@pytest.fixture
def row(audit):
    return FrictionPointFactory(audit=audit, source="Leads go cold", teams="Sales")


# --- save_cell --------------------------------------------------------------------------------


def test_it_saves_a_cell(audit, row):
    form = save_cell(audit, FRICTION, row, "teams", "Sales, Service", "Sales")
    assert not form.errors
    assert stored(row).teams == "Sales, Service"
    assert row.teams == "Sales, Service"


def test_it_bumps_the_row_version_and_the_audits_content_version(audit, row):
    save_cell(audit, FRICTION, row, "teams", "Service", "Sales")
    assert stored(row).version == 2
    assert row.version == 2
    assert content_version(audit) == 1
    save_cell(audit, FRICTION, row, "teams", "Marketing", "Service")
    assert stored(row).version == 3
    assert content_version(audit) == 2


def test_it_saves_only_the_named_field(audit, row):
    save_cell(audit, FRICTION, row, "teams", "Service", "Sales")
    saved = stored(row)
    assert saved.source == "Leads go cold"
    assert saved.position == row.position


def test_it_strips_the_saved_text(audit, row):
    save_cell(audit, FRICTION, row, "teams", "  Service \n", "Sales")
    assert stored(row).teams == "Service"


@pytest.mark.parametrize(
    ("table", "field", "value", "error"),
    [
        ("metric", "name", "", "This field is required."),
        ("metric", "name", "x" * 201, "Ensure this value has at most 200 characters (it has 201)."),
        ("metric", "kind", "funnel", "Select a valid choice. funnel is not one of the available choices."),
        ("reading", "gained", "-5", "Ensure this value is greater than or equal to 0."),
        ("reading", "promoters", "3.5", "Enter a whole number."),
    ],
)
def test_it_refuses_an_invalid_value_and_changes_nothing(audit, table, field, value, error):
    metric = MetricFactory(audit=audit, name="Visitors")
    instance = metric if table == "metric" else ReadingFactory(metric=metric, gained=7, promoters=3)
    before = {name: getattr(stored(instance), name) for name in TABLES[table].fields()}
    form = save_cell(audit, TABLES[table], instance, field, value, str(getattr(instance, field)))
    assert form.errors[field] == [error]
    after = stored(instance)
    assert {name: getattr(after, name) for name in TABLES[table].fields()} == before
    assert after.version == 1
    assert content_version(audit) == 0


def test_it_raises_a_conflict_when_the_cell_changed_meanwhile(audit, row):
    FrictionPoint.objects.filter(pk=row.pk).update(teams="Service")
    with pytest.raises(Conflict) as raised:
        save_cell(audit, FRICTION, row, "teams", "Marketing", "Sales")
    assert raised.value.current == "Service"
    assert raised.value.deleted is False
    assert stored(row).teams == "Service"
    assert stored(row).version == 1
    assert content_version(audit) == 0


def test_it_saves_when_another_cell_of_the_row_changed_meanwhile(audit, row):
    FrictionPoint.objects.filter(pk=row.pk).update(source="Someone else's edit")
    save_cell(audit, FRICTION, row, "teams", "Service", "Sales")
    saved = stored(row)
    assert (saved.source, saved.teams) == ("Someone else's edit", "Service")


def test_it_raises_a_conflict_when_the_row_was_deleted_meanwhile(audit, row):
    FrictionPoint.objects.filter(pk=row.pk).delete()
    with pytest.raises(Conflict) as raised:
        save_cell(audit, FRICTION, row, "teams", "Service", "Sales")
    assert raised.value.deleted is True
    assert raised.value.current is None
    assert not FrictionPoint.objects.exists()
    assert content_version(audit) == 0


def test_it_stores_line_breaks_as_lf(audit, row):
    save_cell(audit, FRICTION, row, "source", "First line\r\nsecond\rthird", "Leads go cold")
    assert stored(row).source == "First line\nsecond\nthird"


def test_it_compares_an_original_with_crlf_to_the_stored_lf(audit):
    row = FrictionPointFactory(audit=audit, source="One\nTwo")
    save_cell(audit, FRICTION, row, "source", "One\r\nTwo\r\nThree", "One\r\nTwo")
    assert stored(row).source == "One\nTwo\nThree"


@pytest.mark.parametrize("typed", ["no", "NO", " No. ", "no!", "No", "Không", "không.", "خیر", "نه"])
@pytest.mark.parametrize("field", ["automation", "new_goal", "restructure"])
def test_it_stores_a_typed_no_as_the_canonical_no(audit, row, field, typed):
    save_cell(audit, FRICTION, row, field, typed, "")
    assert getattr(stored(row), field) == "No"


def test_it_keeps_a_fix_that_starts_with_no(audit, row):
    save_cell(audit, FRICTION, row, "automation", "Nothing to automate: a chatbot", "")
    assert stored(row).automation == "Nothing to automate: a chatbot"


def test_it_normalises_the_original_answer_too(audit):
    row = FrictionPointFactory(audit=audit, automation="No")
    save_cell(audit, FRICTION, row, "automation", "A chatbot", " no ")
    assert stored(row).automation == "A chatbot"


@pytest.fixture
def january(audit):
    metric = MetricFactory(audit=audit, name="Visitors")
    ReadingFactory(metric=metric, period_start=date(2025, 1, 1), total=100)
    return ReadingFactory(metric=metric, period_start=date(2025, 2, 1), gained=10)


def test_it_refuses_to_lose_more_than_the_previous_total_plus_gained(audit, january):
    form = save_cell(audit, READING, january, "lost", "111", "")
    assert form.errors["lost"] == ["Lost (111) is more than the previous total (100) plus gained (10)."]
    assert stored(january).lost is None
    assert content_version(audit) == 0


def test_it_refuses_to_lower_gained_below_what_was_lost(audit, january):
    Reading.objects.filter(pk=january.pk).update(lost=105)
    january.refresh_from_db()
    form = save_cell(audit, READING, january, "gained", "4", "10")
    assert form.errors["gained"] == ["Lost (105) is more than the previous total (100) plus gained (4)."]
    assert stored(january).gained == 10


def test_it_allows_losing_exactly_the_previous_total_plus_gained(audit, january):
    form = save_cell(audit, READING, january, "lost", "110", "")
    assert not form.errors
    assert stored(january).lost == 110


def test_it_allows_any_loss_in_the_first_period(audit):
    reading = ReadingFactory(metric=MetricFactory(audit=audit), gained=1)
    form = save_cell(audit, READING, reading, "lost", "5000", "")
    assert not form.errors
    assert stored(reading).lost == 5000


def test_it_saves_a_date_against_a_date_original(audit):
    row = FrictionPointFactory(audit=audit, due_date=date(2025, 3, 1))
    save_cell(audit, FRICTION, row, "due_date", "2025-04-15", "2025-03-01")
    assert stored(row).due_date == date(2025, 4, 15)


def test_it_saves_against_an_empty_original(audit, row):
    save_cell(audit, FRICTION, row, "due_date", "2025-04-15", "")
    reading = ReadingFactory(metric=MetricFactory(audit=audit))
    save_cell(audit, READING, reading, "gained", "12", "")
    assert stored(row).due_date == date(2025, 4, 15)
    assert stored(reading).gained == 12


def test_it_clears_a_number(audit):
    reading = ReadingFactory(metric=MetricFactory(audit=audit), gained=12)
    save_cell(audit, READING, reading, "gained", "", "12")
    assert stored(reading).gained is None


def test_it_raises_a_conflict_when_an_empty_cell_was_filled_meanwhile(audit, row):
    FrictionPoint.objects.filter(pk=row.pk).update(due_date=date(2025, 5, 1))
    with pytest.raises(Conflict) as raised:
        save_cell(audit, FRICTION, row, "due_date", "2025-04-15", "")
    assert raised.value.current == date(2025, 5, 1)
    assert stored(row).due_date == date(2025, 5, 1)


def test_it_raises_a_conflict_when_a_number_was_cleared_meanwhile(audit):
    reading = ReadingFactory(metric=MetricFactory(audit=audit), gained=12)
    Reading.objects.filter(pk=reading.pk).update(gained=None)
    with pytest.raises(Conflict) as raised:
        save_cell(audit, READING, reading, "gained", "13", "12")
    assert raised.value.current is None
    assert raised.value.deleted is False


GARBLED = ["This cell could not be checked against the saved value: reload the page."]


def test_it_refuses_a_number_against_an_original_that_is_no_number(audit):
    reading = ReadingFactory(metric=MetricFactory(audit=audit), gained=3)
    form = save_cell(audit, READING, reading, "gained", "5", "three")
    assert form.errors["gained"] == GARBLED
    assert (stored(reading).gained, stored(reading).version) == (3, 1)
    assert content_version(audit) == 0


def test_it_refuses_a_date_against_an_original_that_is_no_date(audit, row):
    form = save_cell(audit, FRICTION, row, "due_date", "2025-04-15", "2025-13-01")
    assert form.errors["due_date"] == GARBLED
    assert stored(row).due_date is None


# --- add_row, move_row, delete_row ------------------------------------------------------------


def test_it_appends_rows_to_the_audit(audit):
    rows = [add_row(audit, FRICTION, FrictionPoint(source=f"Friction {number}")) for number in range(3)]
    assert [row.position for row in rows] == [0, 1, 2]
    assert all(row.audit_id == audit.pk for row in rows)
    assert content_version(audit) == 3


def test_it_appends_after_the_highest_position(audit):
    FrictionPointFactory(audit=audit, position=7)
    FrictionPointFactory(audit=audit, position=2)
    row = add_row(audit, FRICTION, FrictionPoint(source="New"))
    assert row.position == 8


def test_it_numbers_positions_per_audit(audit, flywheel):
    other = Audit.objects.create(flywheel=flywheel, title="Other", period_year=2024)
    FrictionPointFactory(audit=other, position=5)
    assert add_row(audit, FRICTION, FrictionPoint(source="New")).position == 0


def test_it_numbers_force_positions_per_team(audit):
    marketing, sales = TeamFactory(audit=audit), TeamFactory(audit=audit)
    first = add_row(audit, TABLES["force"], Force(name="Goals"), team=marketing)
    second = add_row(audit, TABLES["force"], Force(name="Chat"), team=marketing)
    third = add_row(audit, TABLES["force"], Force(name="Pay"), team=sales)
    assert [(force.team_id, force.position) for force in (first, second, third)] == [
        (marketing.pk, 0),
        (marketing.pk, 1),
        (sales.pk, 0),
    ]
    assert third.audit_id == audit.pk


def test_it_numbers_reading_positions_per_metric(audit):
    visitors, users = MetricFactory(audit=audit), MetricFactory(audit=audit)
    ReadingFactory(metric=visitors, period_start=date(2025, 1, 1), position=0)
    added = add_row(audit, READING, Reading(period_start=date(2025, 2, 1)), metric=visitors)
    other = add_row(audit, READING, Reading(period_start=date(2025, 2, 1)), metric=users)
    assert (added.position, other.position) == (1, 0)
    assert content_version(audit) == 2


def test_it_appends_teams_and_metrics(audit):
    TeamFactory(audit=audit, position=0)
    team = add_row(audit, TABLES["team"], Team(name="Product"))
    metric = add_row(audit, METRIC, Metric(name="Visitors", stage="attract"))
    assert (team.position, metric.position) == (1, 0)


@pytest.fixture
def three_rows(audit):
    return [add_row(audit, FRICTION, FrictionPoint(source=source)) for source in ("A", "B", "C")]


def order(audit) -> list[str]:
    return list(FrictionPoint.objects.filter(audit=audit).order_by("position", "pk").values_list("source", flat=True))


def test_it_moves_a_row_up(audit, three_rows):
    move_row(audit, FRICTION, three_rows[1], "up")
    assert order(audit) == ["B", "A", "C"]
    assert content_version(audit) == 4


def test_it_moves_a_row_down(audit, three_rows):
    move_row(audit, FRICTION, three_rows[1], "down")
    assert order(audit) == ["A", "C", "B"]


def test_it_bumps_the_versions_of_moved_rows(audit, three_rows):
    move_row(audit, FRICTION, three_rows[0], "down")
    assert stored(three_rows[0]).version > 1
    assert stored(three_rows[1]).version > 1


@pytest.mark.parametrize(("index", "direction"), [(0, "up"), (2, "down")])
def test_it_does_not_move_a_row_past_the_end(audit, three_rows, index, direction):
    move_row(audit, FRICTION, three_rows[index], direction)
    assert order(audit) == ["A", "B", "C"]
    assert [stored(row).position for row in three_rows] == [0, 1, 2]
    assert content_version(audit) == 3


def test_it_moves_a_force_within_its_team_only(audit):
    marketing, sales = TeamFactory(audit=audit), TeamFactory(audit=audit)
    goals = ForceFactory(team=marketing, name="Goals", position=0)
    chat = ForceFactory(team=marketing, name="Chat", position=1)
    pay = ForceFactory(team=sales, name="Pay", position=0)
    move_row(audit, TABLES["force"], chat, "up")
    assert list(marketing.forces.order_by("position").values_list("name", flat=True)) == ["Chat", "Goals"]
    assert stored(goals).team_id == marketing.pk
    assert (stored(pay).position, stored(pay).version) == (0, 1)


def test_it_moves_a_row_whose_neighbours_share_a_position(audit):
    FrictionPointFactory(audit=audit, source="A", position=0)
    second = FrictionPointFactory(audit=audit, source="B", position=0)
    FrictionPointFactory(audit=audit, source="C", position=0)
    move_row(audit, FRICTION, second, "down")
    assert order(audit) == ["A", "C", "B"]


def test_it_deletes_a_row_and_bumps_the_content_version(audit, row):
    delete_row(audit, row)
    assert not FrictionPoint.objects.exists()
    assert content_version(audit) == 1


def test_it_deletes_a_teams_forces_with_it(audit):
    force = ForceFactory(team=TeamFactory(audit=audit))
    delete_row(audit, force.team)
    assert not Force.objects.exists()
