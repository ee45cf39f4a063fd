"""Many people saving at once, each through their own database connection, as gunicorn workers do.

Every thread is a participant's request: it loads the audit and the row itself, waits at a
barrier so that all of them hit the database together, then saves through audits.content.editing.
The contested cell must have exactly one winner and a Conflict for everyone else; adds and saves
of different cells must all land, each with its Activity entry and one content_version bump.
"""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from audits.content.editing import Conflict, add_row, save_cell
from audits.content.tables import TABLES
from audits.models import Activity, Audit, FrictionPoint

from .factories import FrictionPointFactory

FRICTION = TABLES["friction"]
CLIENTS = 16
ADDING_CLIENTS = 50

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="needs a database server: the in-memory SQLite test database is one shared cache, not "
        "concurrent connections; covered by the PostgreSQL run (make test-postgres) and, for SQLite's "
        "own locking, by test_sqlite_concurrency.py",
    ),
]


def at_once(work: Callable[[int], object], count: int) -> list[object]:
    """Run work(0) … work(count - 1) in threads that start together; return each result or exception."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def client(number: int) -> None:
        try:
            connection.ensure_connection()  # connect first, so that the work itself starts together
            barrier.wait(timeout=30)
            results[number] = work(number)
        except Exception as error:  # the test looks at what each client got
            results[number] = error
        finally:
            connection.close()  # each thread has its own connection; leave none open

    threads = [threading.Thread(target=client, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a client hung"
    return results


def content_version(audit: Audit) -> int:
    return Audit.objects.values_list("content_version", flat=True).get(pk=audit.pk)


def save(audit: Audit, row: FrictionPoint, field: str, value: str, original: str, user):
    """Save as a request does: with the audit and the row loaded afresh on this connection."""
    fresh_audit = Audit.objects.get(pk=audit.pk)
    fresh_row = FrictionPoint.objects.get(pk=row.pk)
    form = save_cell(fresh_audit, FRICTION, fresh_row, field, value, original, user)
    assert not form.errors, form.errors
    return value


def test_it_lets_exactly_one_of_many_saves_of_the_same_cell_win(audit, owner):
    row = FrictionPointFactory(audit=audit, source="Leads go cold", teams="Sales")
    version_before = content_version(audit)

    results = at_once(lambda number: save(audit, row, "teams", f"Team {number}", "Sales", owner), CLIENTS)

    winners = [result for result in results if isinstance(result, str)]
    conflicts = [result for result in results if isinstance(result, Conflict)]
    assert len(winners) == 1, results
    assert len(conflicts) == CLIENTS - 1, results
    # Every loser is told what the winner saved, so nothing is lost: they can see it and retry.
    assert {conflict.current for conflict in conflicts} == {winners[0]}
    assert not any(conflict.deleted for conflict in conflicts)
    saved = FrictionPoint.objects.get(pk=row.pk)
    assert saved.teams == winners[0]
    assert saved.version == row.version + 1
    assert content_version(audit) == version_before + 1
    edits = Activity.objects.filter(audit=audit, row_id=row.pk, action=Activity.Action.EDIT)
    assert [(edit.field, edit.before, edit.after) for edit in edits] == [("teams", "Sales", winners[0])]


def add_at_once(audit: Audit, user, count: int) -> list[object]:
    def add(number: int) -> int:
        fresh_audit = Audit.objects.get(pk=audit.pk)
        return add_row(fresh_audit, FRICTION, FrictionPoint(source=f"Friction from client {number}"), user).pk

    return at_once(add, count)


def test_it_keeps_every_row_that_fifty_clients_add_at_once(audit, owner):
    version_before = content_version(audit)

    results = add_at_once(audit, owner, ADDING_CLIENTS)

    assert not [result for result in results if isinstance(result, Exception)], results
    sources = FrictionPoint.objects.filter(audit=audit).values_list("source", flat=True)
    assert sorted(sources) == sorted(f"Friction from client {n}" for n in range(ADDING_CLIENTS))
    assert content_version(audit) == version_before + ADDING_CLIENTS
    adds = Activity.objects.filter(audit=audit, action=Activity.Action.ADD)
    assert sorted(adds.values_list("row_id", flat=True)) == sorted(results)


def test_it_gives_rows_added_at_once_positions_of_their_own(audit, owner):
    add_at_once(audit, owner, ADDING_CLIENTS)

    positions = FrictionPoint.objects.filter(audit=audit).values_list("position", flat=True)
    assert sorted(positions) == list(range(ADDING_CLIENTS))


def test_it_saves_every_different_cell_saved_at_once(audit, owner):
    fields = ["teams", "owner", "automation", "new_goal"]
    rows = [FrictionPointFactory(audit=audit, source=f"Friction {n}") for n in range(CLIENTS // len(fields))]
    cells = [(row, field) for row in rows for field in fields]
    version_before = content_version(audit)

    def save_own_cell(number: int) -> str:
        row, field = cells[number]
        return save(audit, row, field, f"Value from client {number}", "", owner)

    results = at_once(save_own_cell, len(cells))

    assert not [result for result in results if isinstance(result, Exception)], results
    for number, (row, field) in enumerate(cells):
        assert getattr(FrictionPoint.objects.get(pk=row.pk), field) == f"Value from client {number}"
    for row in rows:
        assert FrictionPoint.objects.get(pk=row.pk).version == row.version + len(fields)
    assert content_version(audit) == version_before + len(cells)
    assert Activity.objects.filter(audit=audit, action=Activity.Action.EDIT).count() == len(cells)
