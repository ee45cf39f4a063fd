"""Carrying an audit forward makes one audit for the next year, never two: a second try says where the first is."""

import os
import subprocess
import sys
import textwrap

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audits.content.carry import NextAuditExists, carry_forward
from audits.content.starting import start_audit
from audits.models import Audit
from flywheel_audit.settings import BASE_DIR

from .factories import AuditFactory, FlywheelFactory, FrictionPointFactory
from .test_concurrency import at_once


@pytest.fixture
def last_year(flywheel) -> Audit:
    audit = AuditFactory(flywheel=flywheel, title="Audit 2024", period_year=2024)
    start_audit(audit)
    FrictionPointFactory(audit=audit, source="Leads wait days for a reply")
    return Audit.objects.select_related("flywheel__organization").get(pk=audit.pk)


def audits_of_2025(flywheel) -> list[Audit]:
    return list(Audit.objects.alive().filter(flywheel=flywheel, period_year=2025))


def test_carrying_forward_again_is_refused_with_the_audit_already_made(last_year, flywheel):
    first = carry_forward(last_year)
    with pytest.raises(NextAuditExists) as refused:
        carry_forward(last_year)
    assert refused.value.audit == first
    assert audits_of_2025(flywheel) == [first]


def test_an_audit_for_next_year_made_by_hand_counts_too(last_year, flywheel):
    by_hand = AuditFactory(flywheel=flywheel, title="Audit 2025", period_year=2025)
    with pytest.raises(NextAuditExists) as refused:
        carry_forward(last_year)
    assert refused.value.audit == by_hand


def test_next_years_audit_in_the_trash_or_in_another_flywheel_does_not_count(last_year, flywheel, organization):
    AuditFactory(flywheel=flywheel, period_year=2025, deleted_at=timezone.now())
    AuditFactory(flywheel=FlywheelFactory(organization=organization), period_year=2025)
    new = carry_forward(last_year)
    assert audits_of_2025(flywheel) == [new]


def test_the_second_click_says_so_with_a_link_to_the_first_audit(owner_client, last_year, flywheel):
    url = reverse("audits:audit-carry-forward", args=[last_year.pk])
    first = owner_client.post(url)
    new = Audit.objects.get(carried_from=last_year)
    assert first.url == new.get_absolute_url()
    again = owner_client.post(url, follow=True)
    assert again.redirect_chain == [(last_year.get_absolute_url(), 302)]
    html = again.content.decode()
    assert "This flywheel already has an audit for 2025:" in html
    assert f'<a href="{new.get_absolute_url()}">{new.title}</a>' in html
    assert "nothing new was made" in html
    assert audits_of_2025(flywheel) == [new]


def test_the_overview_links_next_years_audit_instead_of_offering_to_carry_forward(owner_client, last_year):
    carry_url = reverse("audits:audit-carry-forward", args=[last_year.pk])
    assert carry_url in owner_client.get(last_year.get_absolute_url()).content.decode()
    new = carry_forward(last_year)
    html = owner_client.get(last_year.get_absolute_url()).content.decode()
    assert carry_url not in html
    assert f'This flywheel\'s audit for 2025 is <a href="{new.get_absolute_url()}">{new.title}</a>.' in html


# --- Two clicks at once ------------------------------------------------------------------------

RACE = textwrap.dedent(
    """
    import threading

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from audits.content.carry import NextAuditExists, carry_forward
    from audits.models import Audit, Flywheel, Organization
    from audits.content.starting import start_audit

    call_command("migrate", verbosity=0)
    flywheel = Flywheel.objects.create(organization=Organization.objects.create(name="Acme"), name="Self-serve")
    last_year = Audit.objects.create(flywheel=flywheel, title="Audit 2024", period_year=2024)
    start_audit(last_year)
    outcomes = []
    barrier = threading.Barrier(6)

    def click():
        audit = Audit.objects.select_related("flywheel__organization").get(pk=last_year.pk)
        try:
            barrier.wait(timeout=30)
            carry_forward(audit)
            outcomes.append("made")
        except NextAuditExists:
            outcomes.append("refused")
        except Exception as error:
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("outcomes", ",".join(sorted(outcomes)))
    print("audits", Audit.objects.filter(flywheel=flywheel, period_year=2025).count())
    """
)


def test_clicks_at_once_make_one_audit_on_sqlite(tmp_path):
    """In a process of its own on an SQLite file: the test database in memory is one shared connection."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    env["DJANGO_SETTINGS_MODULE"] = "flywheel_audit.settings"
    result = subprocess.run(
        [sys.executable, "-c", RACE], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())
    assert lines["outcomes"] == ",".join(["made"] + ["refused"] * 5)
    assert lines["audits"] == "1"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="needs a database server (concurrent connections); SQLite's own locking: the test above",
)
def test_clicks_at_once_make_one_audit_on_a_database_server(flywheel):
    last_year = AuditFactory(flywheel=flywheel, period_year=2024)
    start_audit(last_year)

    def click(number: int) -> Audit:
        return carry_forward(Audit.objects.select_related("flywheel__organization").get(pk=last_year.pk))

    results = at_once(click, 6)
    made = [result for result in results if isinstance(result, Audit)]
    refused = [result for result in results if isinstance(result, NextAuditExists)]
    assert (len(made), len(refused)) == (1, 5), results
    assert {error.audit for error in refused} == set(made)
    assert audits_of_2025(flywheel) == made
