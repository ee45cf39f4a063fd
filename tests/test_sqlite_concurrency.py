"""Many workshop users saving at once on the default SQLite database: nothing is locked out.

The test runs a separate Python process on a fresh SQLite file (the in-memory test database
shares one connection cache and cannot show file locking), with the project's own settings.
"""

import os
import subprocess
import sys
import textwrap

from flywheel_audit.settings import BASE_DIR

SCRIPT = textwrap.dedent(
    """
    import threading

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections, transaction

    from audits.models import Flywheel, Organization

    call_command("migrate", verbosity=0)
    print("journal_mode", connection.cursor().execute("PRAGMA journal_mode").fetchone()[0])
    organization = Organization.objects.create(name="Workshop")
    flywheel = Flywheel.objects.create(organization=organization, name="0")
    errors = []

    def participant(number):
        try:
            for _ in range(25):
                # Read, then write, in one transaction: the pattern that deadlocks into
                # "database is locked" when transactions are DEFERRED.
                with transaction.atomic():
                    current = Flywheel.objects.get(pk=flywheel.pk)
                    Flywheel.objects.filter(pk=flywheel.pk).update(name=str(int(current.name) + 1))
                    Organization.objects.create(name=f"row by {number}")
        except Exception as error:
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=participant, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("errors", len(errors), errors[:1])
    print("counter", Flywheel.objects.get(pk=flywheel.pk).name)
    print("rows", Organization.objects.count() - 1)
    """
)


def test_concurrent_saves_on_sqlite_never_fail_with_database_is_locked(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'workshop.sqlite3'}"
    env["DJANGO_SETTINGS_MODULE"] = "flywheel_audit.settings"
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())
    assert lines["journal_mode"] == "wal"
    assert lines["errors"].startswith("0 "), lines["errors"]
    assert lines["counter"] == str(8 * 25)  # no lost update either
    assert lines["rows"] == str(8 * 25)
