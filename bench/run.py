"""How long each audit page takes, for a small and a large audit, next to a trivial Django view.

`make bench` runs it. It builds two audits with audits/content/sample.py — a small one (a few rows of
each kind) and a large one (300 friction rows, 150 forces in 5 teams, 12 metrics with 36
monthly readings each) — then fetches the overview and every step page of each through
django.test.Client as a logged-in owner (so the editable cells are drawn): once "cold", the first
render with an empty cache (audits/live/render_cache.py), then N times after a warm-up ("warm": what
every other viewer of the same version gets), and prints the median; for the large audit also the
first render of a new version (the audit changed: rows come from the cache, the page is redrawn).
The baseline is a view that returns "ok", measured in the same run through the same middleware
(one request right after each warm page request: the median of them all), so "small/trivial" reads
as "this page costs as much as N requests that do nothing". The query
counts show whether a page's cost grows with the audit's size in SQL (it must not) or only in
rendering.

After the page table, bench/exports.py times every export and import (small, medium and large
audit, next to the bare python-pptx / openpyxl / json cost) and the export view; see there.
BENCH_EXPORTS=0 skips them.

The database is thrown away: an SQLite file in bench/out/ (gitignored), recreated each run; with
DATABASE_URL set, a test database next to it (test_<name>), created and dropped by Django.
"""

import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SQLITE_FILE = OUT / "bench.sqlite3"
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
WARM_UP = 2

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flywheel_audit.settings")
USES_SQLITE_FILE = not os.environ.get("DATABASE_URL")
if USES_SQLITE_FILE:
    os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"

import django  # noqa: E402  (settings come from the environment set above)

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import include, path, reverse  # noqa: E402
from report import table  # noqa: E402  (bench/ is this script's folder)

from audits.content import guidance  # noqa: E402
from audits.content.document import load  # noqa: E402
from audits.content.editing import bump_content_version  # noqa: E402
from audits.content.sample import build_large_audit, build_small_audit  # noqa: E402
from audits.live.render_cache import forget_recent  # noqa: E402
from audits.models import Audit, Flywheel, Membership, Organization  # noqa: E402
from bench import exports  # noqa: E402  (needs Django set up)


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


# This module is the URLconf while the benchmark runs: the project's URLs plus the baseline.
urlpatterns = [
    path("bench/trivial/", trivial, name="bench-trivial"),
    path("", include(settings.ROOT_URLCONF)),
]


def prepare_database() -> None:
    if USES_SQLITE_FILE:
        OUT.mkdir(exist_ok=True)
        for leftover in OUT.glob(f"{SQLITE_FILE.name}*"):  # the database and its -wal and -shm files
            leftover.unlink()
        call_command("migrate", verbosity=0, interactive=False)
    else:
        # Never write sample audits into a real database: Django creates test_<name> and drops it after.
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)


def make_audits():
    user = get_user_model().objects.create_user("bench", password=None)
    organization = Organization.objects.create(name="Bench organization")
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
    flywheel = Flywheel.objects.create(organization=organization, name="Bench flywheel")
    return user, flywheel, build_small_audit(flywheel), build_large_audit(flywheel)


def describe(audit: Audit) -> str:
    document = load(audit)
    readings = sum(len(metric.readings) for metric in document.metrics)
    return (
        f"{len(document.metrics)} metrics with {readings} readings, {len(document.teams)} teams, "
        f"{len(document.forces)} forces, {len(document.friction)} friction rows"
    )


def fetch(client: Client, url: str) -> float:
    """Return the milliseconds one GET takes; fail loudly on anything but a 200."""
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    return elapsed


def median_ms(client: Client, url: str, baseline: list[float]) -> float:
    """The page's median warm time; each of its fetches is followed by one of the trivial view, added to
    `baseline`, so that the multiples compare the two at the same moments (a baseline measured once, at
    the start, moved from 1.8 to 2.8 ms between two runs of the same code)."""
    for _ in range(WARM_UP):
        fetch(client, url)
    times = []
    for _ in range(RUNS):
        times.append(fetch(client, url))
        baseline.append(fetch(client, reverse("bench-trivial")))
    return statistics.median(times)


def cold_ms(client: Client, url: str) -> float:
    """The first render: nothing in the shared cache (median of a few, each after emptying it)."""
    times = []
    for _ in range(3):
        cache.clear()
        forget_recent()
        times.append(fetch(client, url))
    return statistics.median(times)


def new_version_ms(client: Client, url: str, audit: Audit) -> float:
    """The first render of a new version (someone saved elsewhere): rows come from the cache, the page is redrawn."""
    times = []
    for _ in range(3):
        fetch(client, url)
        bump_content_version(audit)
        forget_recent()
        times.append(fetch(client, url))
    return statistics.median(times)


def query_count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def pages(audit: Audit) -> list[tuple[str, str]]:
    found = [("overview", reverse("audits:audit", kwargs={"audit_id": audit.pk}))]
    found += [
        (step.key, reverse("audits:step", kwargs={"audit_id": audit.pk, "step": step.key})) for step in guidance.STEPS
    ]
    return found


def main() -> None:
    settings.ROOT_URLCONF = __name__
    # The test client's host; the settings allow only the hosts a browser would use.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    prepare_database()
    try:
        user, flywheel, small, large = make_audits()
        client = Client()
        client.force_login(user)
        rows, growing, elapsed = measure_pages(client, small, large)
        print_pages(rows, growing, elapsed, {"Small": describe(small), "Large": describe(large)})
        if os.environ.get("BENCH_EXPORTS", "1") != "0":
            exports.run(client, flywheel, small, large, table)
    finally:
        if not USES_SQLITE_FILE:
            connection.creation.destroy_test_db(settings.DATABASES["default"]["NAME"], verbosity=0)


def measure_pages(client: Client, small: Audit, large: Audit) -> tuple[list[list[str]], list[str], float]:
    """The page table's rows, the pages whose query count grows with the audit, and the seconds it took."""
    trivial_url = reverse("bench-trivial")
    started = time.perf_counter()
    for _ in range(WARM_UP):
        fetch(client, trivial_url)
    trivial_times = []
    measured = []
    growing = []
    for (name, small_url), (_, large_url) in zip(pages(small), pages(large), strict=True):
        small_cold, large_cold = cold_ms(client, small_url), cold_ms(client, large_url)
        small_ms, large_ms = median_ms(client, small_url, trivial_times), median_ms(client, large_url, trivial_times)
        large_new = new_version_ms(client, large_url, large)
        small_queries, large_queries = query_count(client, small_url), query_count(client, large_url)
        if large_queries != small_queries:
            growing.append(name)
        measured.append((name, small_cold, small_ms, large_cold, large_ms, large_new, small_queries, large_queries))
    baseline = statistics.median(trivial_times)
    rows = [
        [
            "page",
            "small cold ms",
            "small warm ms",
            "large cold ms",
            "large warm ms",
            "large new version ms",
            "small/trivial cold",
            "small/trivial warm",
            "large/trivial cold",
            "large/trivial warm",
            "large/trivial new version",
            "queries small",
            "queries large",
        ]
    ]
    trivial_queries = str(query_count(client, trivial_url))
    rows.append(["trivial view", "", f"{baseline:.2f}", "", "", "", "", "1.0", "", "", "", trivial_queries, ""])
    for name, small_cold, small_ms, large_cold, large_ms, large_new, small_queries, large_queries in measured:
        rows.append(
            [
                name,
                f"{small_cold:.1f}",
                f"{small_ms:.1f}",
                f"{large_cold:.1f}",
                f"{large_ms:.1f}",
                f"{large_new:.1f}",
                f"{small_cold / baseline:.0f}",
                f"{small_ms / baseline:.0f}",
                f"{large_cold / baseline:.0f}",
                f"{large_ms / baseline:.0f}",
                f"{large_new / baseline:.0f}",
                str(small_queries),
                str(large_queries),
            ]
        )
    return rows, growing, time.perf_counter() - started


def print_pages(rows: list[list[str]], growing: list[str], elapsed: float, sizes: dict[str, str]) -> None:
    database = settings.DATABASES["default"]
    print("Flywheel Audit — page benchmark")
    print(f"Database: {connection.vendor} ({database['ENGINE']}), {database['NAME']}")
    print(f"Python {platform.python_version()}, Django {django.get_version()}, DEBUG={settings.DEBUG}")
    print(f"Warm: median of {RUNS} runs after {WARM_UP} warm-up requests; cold: median of 3 first renders with an")
    print(f"empty cache ({settings.CACHES['default']['BACKEND']}). As a logged-in owner; {elapsed:.1f} s measuring.")
    print("Trivial view: the median of one request after each warm page request, all through the run.")
    for size, description in sizes.items():
        print(f"{size} audit: {description}.")
    print()
    print(table(rows))
    print()
    if growing:
        print(f"Query count grows with the audit's size on: {', '.join(growing)}. That is a bug (see document.load).")
    else:
        print("Every page runs as many queries for the large audit as for the small one.")
    sys.stdout.flush()  # the page table shows while the exports are measured


if __name__ == "__main__":
    main()
