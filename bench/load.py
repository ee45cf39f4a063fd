"""A workshop's worth of people at once: locust against gunicorn and PostgreSQL, on loopback.

`make bench` runs it after bench/run.py, for 20, 60 and 200 participants in turn (LOAD_USERS, a
comma-separated list). Each participant does exactly what an open workshop page does, as
bench/locustfile.py describes: it opens the step page (all of them at once), then polls every
2 s, saves a cell every 10 s and posts its presence every 15 s, for 60 s (LOAD_SECONDS), against
gunicorn with 4 workers of 2 threads each (LOAD_WORKERS, LOAD_THREADS; README's "Running for a
team" command, on a machine with 2 cores: locust shares them) in the configuration that section gives: DJANGO_DEBUG=0, a
secret key, DJANGO_ALLOWED_HOSTS=127.0.0.1 and a PostgreSQL DATABASE_URL — plus DJANGO_HTTPS=0,
the settings' switch for a plain-HTTP trial run, since there is no TLS on loopback. Each count
runs in a process of its own (this script again, with one count), then a summary compares them.

It creates a scratch database flywheel_load_<pid> on PG_URL (default: the local server), migrates
it, builds a small sample audit (audits/content/sample.py) with a friction row for each participant and
a quiet audit that nobody edits, and makes the participants (members with the participant role).
They are logged in by sessions written to the database, as the test client's force_login does:
sixty log-ins through the form would spend the first seconds hashing passwords on purpose-slow
PBKDF2, and a log-in storm is not what is measured. Static files are collected into a
temporary folder (a generated settings module points STATIC_ROOT there, so the project's own
staticfiles/ is left alone). Gunicorn, locust, the database and the folder are removed at the
end, also after a failure or Ctrl+C.

Server work is shown as CPU time: the gunicorn workers' user + system time, read from
/proc/<pid>/stat, from when everyone is in to the end. Divided by the changes made meanwhile (the
saves) and the open pages, it is the CPU-ms per change per open page — what one more person in
the room costs on every change. On a machine shared with other work, latency measures the
neighbours too; CPU time does not.

Before the load, the unchanged poll (of the quiet audit) is timed alone, one request at a time,
against a trivial view: "ok", no template, no query of its own, served by the same gunicorn
through the same middleware and asked for with the participant's session cookie, like the poll.
It is bench/trivial_urls.py's /bench/trivial/, added for this run only: the generated settings
module makes that file, which includes the project's URLs, the ROOT_URLCONF. Every logged-in
request in this app loads the session and the user whatever its view does, so the ratio of the
two is what the poll's own work costs (aim ≤ 2×). The same poll URL without the cookie ("logged
out": login_required's redirect, no query at all) and favicon.svg from WhiteNoise (gunicorn and
WSGI without any Django view) are shown too. The queries each makes are counted with the test
client before the run.

The workers share their rendered fragments through Redis, as README's "Running for a team" advises
for several workers: CACHE_URL or REDIS_URL if set, else a Redis on 127.0.0.1:6379 if one answers
(database 14), else each worker's own memory (the header says which). Each count's keys carry its
scratch database's name (KEY_PREFIX): the scratch databases reuse the same audit ids, and a
fragment of an earlier run must never be served.

DATABASE_CONN_MAX_AGE is passed on only if it is set; otherwise the settings' default for
PostgreSQL applies. The header shows the value in effect. Raw output: bench/out/locust.log,
bench/out/gunicorn.log (of the last count).

The run fails (exit 1) if any request failed: errors must be 0. The issue's targets (60: p95 save
≤ 150 ms, p95 poll ≤ 100 ms, 60 opening at once p95 ≤ 1.5 s; 200: p95 save ≤ 400 ms) are shown as
met or missed.
"""

import http.client
import json
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psutil  # comes with locust
import psycopg
from report import table  # bench/ is this script's folder

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
VENV_BIN = Path(sys.executable).parent
PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
SECONDS = int(os.environ.get("LOAD_SECONDS") or 60)
COUNTS = [int(count) for count in (os.environ.get("LOAD_USERS") or "20,60,200").split(",")]
PARTICIPANTS = COUNTS[0]
WORKERS = int(os.environ.get("LOAD_WORKERS") or 4)
THREADS = int(os.environ.get("LOAD_THREADS") or 2)
ALONE_RUNS, ALONE_WARM_UP = 100, 10
LOCAL_REDIS = "redis://127.0.0.1:6379/14"
SUMMARY_FILE = os.environ.get("LOAD_SUMMARY")  # set for a count run by the summary's process

# The locustfile's request names, in the table's order, with what each one is.
REQUESTS = {
    "page": "open the step page (all at once)",
    "poll-changed": "poll, audit changed (200)",
    "poll-unchanged": "poll, audit unchanged (204)",
    "poll": "all polls",
    "save": "save a cell (200)",
    "presence": "presence, every 15 s",
}
# The unchanged poll and what it is compared with, alone; the ratio to the trivial view is the aim.
COMPARED = ("unchanged", "trivial", "logged-out", "static")
# The targets: (participants, request, p95 ms at most).
TARGETS = [(60, "save", 150), (60, "poll", 100), (60, "page", 1500), (200, "save", 400)]

SETTINGS_MODULE = """\
from flywheel_audit.settings import *  # noqa: F403

STATIC_ROOT = {static_root!r}  # this run's own collectstatic, not the project's staticfiles/
ROOT_URLCONF = "bench.trivial_urls"  # the project's URLs and /bench/trivial/
CACHES["default"]["KEY_PREFIX"] = {key_prefix!r}  # noqa: F405  (this run's own keys: audit ids repeat across runs)
"""


def run_sql(statement: str) -> None:
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def shared_cache() -> str:
    """The cache the workers share, or "" for each worker's own memory."""
    import redis  # the settings' Redis cache backend needs it too

    url = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or LOCAL_REDIS
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return ""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return ""
    return url


def server_environment(database: str, work: Path) -> dict[str, str]:
    settings = SETTINGS_MODULE.format(static_root=str(work / "static"), key_prefix=database)
    (work / "bench_settings.py").write_text(settings)
    # The caller's environment goes on, DATABASE_CONN_MAX_AGE included if set; DJANGO_* is this run's own.
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    return environment | {
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(work), str(ROOT)]),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": f"{PG_URL}/{database}",
        "CACHE_URL": shared_cache(),
    }


def prepare(environment: dict[str, str]) -> dict:
    """Migrate, collect static files and write the audits and participants; return the locustfile's plan."""
    os.environ.update(environment)
    sys.path[:0] = environment["PYTHONPATH"].split(os.pathsep)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from audits.content.editing import add_row
    from audits.content.sample import build_large_audit, build_small_audit
    from audits.content.tables import TABLES
    from audits.models import Audit, Flywheel, FrictionPoint, Membership, Organization

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    organization = Organization.objects.create(name="Load test")
    flywheel = Flywheel.objects.create(organization=organization, name="Load test flywheel")
    audit = build_small_audit(flywheel)
    quiet = build_large_audit(flywheel, friction=3, forces=3, teams=2, metrics=2, periods=3, title="Quiet audit")
    participants = []
    for number in range(1, PARTICIPANTS + 1):
        user = get_user_model().objects.create_user(f"participant{number}", password=None)
        Membership.objects.create(user=user, organization=organization, role=Membership.Role.PARTICIPANT)
        row = add_row(audit, TABLES["friction"], FrictionPoint(source=f"Friction of participant {number}"), user)
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        participants.append({"number": number, "row": row.pk, "session": client.cookies["sessionid"].value})
    quiet_version = Audit.objects.values_list("content_version", flat=True).get(pk=quiet.pk)
    connections.close_all()
    return {"audit": audit.pk, "quiet_audit": quiet.pk, "quiet_version": quiet_version, "participants": participants}


def start_gunicorn(environment: dict[str, str], port: int) -> subprocess.Popen:
    command = [
        str(VENV_BIN / "gunicorn"),
        "flywheel_audit.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={WORKERS}",
        f"--threads={THREADS}",
        f"--error-logfile={OUT / 'gunicorn.log'}",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=environment)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {OUT / 'gunicorn.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/favicon.svg", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 30 s")


def single_requests(plan: dict) -> dict[str, tuple[str, dict[str, str], int]]:
    """The requests compared alone, each as its URL, headers and expected status."""
    poll = f"/audits/{plan['quiet_audit']}/changes/?since={plan['quiet_version']}&step=identify"
    logged_in = {"Cookie": f"sessionid={plan['participants'][0]['session']}", "HX-Request": "true"}
    return {
        "unchanged": (poll, logged_in, 204),
        "trivial": ("/bench/trivial/", logged_in, 200),
        "logged-out": (poll, {}, 302),
        "static": ("/static/favicon.svg", {}, 200),
    }


def count_queries(plan: dict) -> dict[str, int]:
    """Count the queries each of the single requests makes, with the test client (after prepare)."""
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for name, (url, headers, expected) in single_requests(plan).items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, headers=headers)
        if response.status_code != expected:
            raise SystemExit(f"GET {url} answered {response.status_code} in the test client, not {expected}")
        counts[name] = len(queries)
    connections.close_all()
    return counts


def effective_conn_max_age() -> int:
    """CONN_MAX_AGE as the server's settings make it: Django is set up by prepare, with the same environment."""
    from django.conf import settings

    return settings.DATABASES["default"]["CONN_MAX_AGE"]


def alone(port: int, plan: dict) -> dict[str, list[float]]:
    """Time the single requests alone: one request at a time, interleaved, before the load."""
    requests = single_requests(plan)
    timings: dict[str, list[float]] = {name: [] for name in requests}
    for _ in range(ALONE_WARM_UP + ALONE_RUNS):
        for name, (url, headers, expected) in requests.items():
            # A new connection each time, as with locust: gunicorn closes it after each response.
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            start = time.perf_counter()
            connection.request("GET", url, headers=headers)
            response = connection.getresponse()
            response.read()
            timings[name].append((time.perf_counter() - start) * 1000)
            connection.close()
            if response.status != expected:
                raise SystemExit(f"GET {url} answered {response.status}, not {expected}")
    return {name: samples[ALONE_WARM_UP:] for name, samples in timings.items()}


def run_locust(environment: dict[str, str], port: int, plan_file: Path, results_file: Path) -> dict:
    command = [
        str(VENV_BIN / "locust"),
        f"--locustfile={ROOT / 'bench' / 'locustfile.py'}",
        "--headless",
        f"--users={PARTICIPANTS}",
        f"--spawn-rate={PARTICIPANTS}",
        # The locustfile ends the run LOAD_SECONDS after everyone is in; this is only a backstop.
        f"--run-time={SECONDS + 300}s",
        f"--host=http://127.0.0.1:{port}",
        "--only-summary",
    ]
    locust_environment = environment | {
        "LOAD_PLAN": str(plan_file),
        "LOAD_RESULTS": str(results_file),
        "LOAD_SECONDS": str(SECONDS),
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(OUT / "locust.log", "w") as log:
        locust = subprocess.run(command, cwd=ROOT, env=locust_environment, stdout=log, stderr=subprocess.STDOUT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # gunicorn still runs: only locust has ended since
    locust_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if not results_file.exists():
        raise SystemExit(f"locust wrote no results; see {OUT / 'locust.log'}")
    shutil.copy(results_file, OUT / "locust-results.json")  # raw times and the timeline, for a closer look
    # Locust exits with 1 on failed requests, and also on exceptions in the locustfile, which are no request.
    return json.loads(results_file.read_text()) | {"exit_code": locust.returncode, "locust_cpu": locust_cpu}


class CpuMeter(threading.Thread):
    """Samples the CPU time gunicorn's workers have used, so the steady part's share can be told apart."""

    def __init__(self, server: subprocess.Popen):
        super().__init__(daemon=True)
        self.server = psutil.Process(server.pid)
        self.samples: list[tuple[float, float]] = []  # (time.time(), CPU seconds so far)
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            self.samples.append((time.time(), self.cpu_seconds()))

    def cpu_seconds(self) -> float:
        """The workers' user + system time so far, from /proc/<pid>/stat (fields 14 and 15, in clock ticks)."""
        ticks = 0
        for worker in self.server.children():
            try:
                stat = Path(f"/proc/{worker.pid}/stat").read_text()
            except FileNotFoundError:
                continue
            fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
            ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def used_since(self, moment: float) -> float:
        self.done.set()
        self.join()
        at_end = self.cpu_seconds()
        return at_end - next((cpu for when, cpu in self.samples if when >= moment), at_end)


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def percentile(samples: list[float], percent: int) -> float:
    if len(samples) < 2:
        return samples[0] if samples else float("nan")
    return statistics.quantiles(samples, n=100, method="inclusive")[percent - 1]


def report(results: dict) -> int:
    """Print the table and return the number of failed requests."""
    timings, errors = results["timings"], results["errors"]
    timings["poll"] = timings.get("poll-changed", []) + timings.get("poll-unchanged", [])
    rows = [["request", "requests", "errors", "p50 ms", "p95 ms"]]
    for name, description in REQUESTS.items():
        samples, failed = timings.get(name, []), len(errors.get(name, []))
        if samples or failed:
            p50, p95 = percentile(samples, 50), percentile(samples, 95)
            rows.append([description, str(len(samples) + failed), str(failed), f"{p50:.1f}", f"{p95:.1f}"])
    steady = sum(
        len(timings.get(name, [])) + len(errors.get(name, [])) for name in REQUESTS if name not in ("page", "poll")
    )
    failures = sum(len(messages) for messages in errors.values())
    print(
        f"Flywheel Audit — load test: {PARTICIPANTS} participants, each doing what an open workshop page does "
        f"(poll every 2 s, a save every 10 s and a poll right after it, presence every 15 s)"
    )
    conn_max_age = results["conn_max_age"]
    if not os.environ.get("DATABASE_CONN_MAX_AGE"):
        conn_max_age = f"{conn_max_age}, the settings' default"
    print(
        f"gunicorn {WORKERS} workers × {THREADS} threads, PostgreSQL (DATABASE_CONN_MAX_AGE={conn_max_age}), "
        f"cache {results['cache'] or 'per worker (memory)'}, "
        f"DEBUG off; locust on the same {os.cpu_count()} cores; Python {platform.python_version()}; "
        f"load average before the run {results['load_before']}"
    )
    print(
        f"All {PARTICIPANTS} opened the page at once, in {results['joining_seconds']:.1f} s; then {SECONDS} s of "
        f"polling and saving: {steady} requests, {steady / SECONDS:.0f}/s. Errors: {failures}."
    )
    cpu, changes = results["server_cpu"], results["changes"]
    per_change = cpu * 1000 / max(changes, 1) / PARTICIPANTS
    print(
        f"gunicorn's workers used {cpu:.1f} CPU-s in those {SECONDS} s ({cpu / SECONDS:.2f} cores; PostgreSQL's own "
        f"CPU not counted): {changes} changes, {per_change:.2f} CPU-ms per change per open page. Locust itself used "
        f"{results['locust_cpu']:.1f} CPU-s (the whole run, page opens included) on the same cores."
    )
    queries = results["queries"]
    print(
        f"Queries per request (test client; a kept connection's health check not counted): unchanged poll "
        f"{queries['unchanged']}, trivial view (logged in) {queries['trivial']}, "
        f"logged out {queries['logged-out']}, static file {queries['static']}."
    )
    print()
    print(table(rows))
    print()
    unchanged, trivial, logged_out, floor = (median(results["alone"][name]) for name in COMPARED)
    print(
        f"Alone, before the load ({ALONE_RUNS} of each, one at a time, p50): unchanged poll {unchanged:.1f} ms, "
        f"trivial view {trivial:.1f} ms, logged out {logged_out:.1f} ms, static file {floor:.1f} ms: "
        f"poll / trivial = {unchanged / trivial:.2f}× (aim ≤ 2×), poll / logged out = {unchanged / logged_out:.2f}×"
    )
    for participants, name, most in TARGETS:
        if participants == PARTICIPANTS:
            p95 = percentile(timings.get(name, []), 95)
            verdict = "met" if p95 <= most else "MISSED"
            print(f"Target for {participants}: p95 {REQUESTS[name]} ≤ {most} ms: {p95:.0f} ms, {verdict}.")
    for name, messages in errors.items():
        print(f"Errors in {name}: {len(messages)}, e.g. {messages[0]}")
    if SUMMARY_FILE:
        summary = {
            "participants": PARTICIPANTS,
            "changes": changes,
            "cpu": cpu,
            "per_change": per_change,
            "errors": failures,
            **{f"p95 {name}": percentile(timings.get(name, []), 95) for name in ("page", "poll", "save")},
        }
        Path(SUMMARY_FILE).write_text(json.dumps(summary))
    if results["exit_code"] and not failures:
        print(f"locust exited with {results['exit_code']}: an exception in the locustfile, see {OUT / 'locust.log'}")
        return 1
    return failures


def summarize() -> int:
    """Run each count in a process of its own, then compare them: how the server's work grows with the room."""
    rows = [["open pages", "changes", "CPU-s", "CPU-ms / change / page", "errors", "p95 page", "p95 poll", "p95 save"]]
    failed = 0
    for count in COUNTS:
        with tempfile.NamedTemporaryFile(suffix=".json") as summary_file:
            environment = os.environ | {"LOAD_USERS": str(count), "LOAD_SUMMARY": summary_file.name}
            failed += subprocess.run([sys.executable, __file__], env=environment).returncode != 0
            print(flush=True)
            text = Path(summary_file.name).read_text()
        if not text:
            rows.append([str(count), "-", "-", "-", "run failed", "-", "-", "-"])
            continue
        summary = json.loads(text)
        rows.append(
            [str(count), str(summary["changes"]), f"{summary['cpu']:.1f}", f"{summary['per_change']:.2f}"]
            + [str(summary["errors"])]
            + [f"{summary[f'p95 {name}']:.0f} ms" for name in ("page", "poll", "save")]
        )
    print(f"Server work per change as the room grows ({SECONDS} s each; aim ≤ 3 CPU-ms per change per open page):")
    print(table(rows))
    return 1 if failed else 0


def median(samples: list[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


def main() -> int:
    if len(COUNTS) > 1:
        return summarize()
    # make and CI stop with SIGTERM: end through the finally below, like Ctrl+C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    OUT.mkdir(exist_ok=True)
    database = f"flywheel_load_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="flywheel_load_"))
    server = None
    run_sql(f"CREATE DATABASE {database}")
    try:
        environment = server_environment(database, work)
        print(f"Preparing database {database}: {PARTICIPANTS} participants …", flush=True)
        plan = prepare(environment)
        queries, conn_max_age = count_queries(plan), effective_conn_max_age()
        (work / "plan.json").write_text(json.dumps(plan))
        port = free_port()
        server = start_gunicorn(environment, port)
        print(f"gunicorn on http://127.0.0.1:{port}/, locust for {SECONDS} s …", flush=True)
        timed_alone = alone(port, plan)
        load_before = " ".join(f"{load:.1f}" for load in os.getloadavg())
        meter = CpuMeter(server)
        meter.start()
        results = run_locust(environment, port, work / "plan.json", work / "results.json")
        results["load_before"], results["alone"] = load_before, timed_alone
        results["queries"], results["conn_max_age"] = queries, conn_max_age
        results["cache"] = environment["CACHE_URL"]
        results["server_cpu"] = meter.used_since(results["steady_from"])
        stop(server)
        return 1 if report(results) else 0
    finally:
        stop(server)
        run_sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # cleaned up already, in main's finally
        sys.exit(130)
