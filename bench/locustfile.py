"""Workshop participants for locust: each polls its audit every 2 s and saves a cell every 10 s.

bench/load.py starts locust with this file against gunicorn and hands it a plan (LOAD_PLAN, a
JSON file): the audit, a quiet audit nobody edits, and for each participant a session key and
a friction row of its own, so that saves never conflict (a 409 is an error here). Each request
is recorded under a short name, with its outcome in the name where it differs:

- "page": the participant opens the audit's Identify step once (learns the version and the
  CSRF token from the page, as live.js and htmx do). All of them do so at once, as a workshop
  starts; the polling and saving begin when everyone is in and last LOAD_SECONDS from then, so
  that those figures are the steady state, not the queue behind sixty page renders;
- "poll-changed" / "poll-unchanged": GET /audits/<id>/changes/?since=N every 2 s, as live.js;
- "save": the teams cell of the participant's row, posted as htmx posts it, every 10 s;
- every 10 s each, to measure in the same run: "quiet-poll" (the unchanged poll, of an audit
  nobody edits: with sixty people saving, the busy audit changes between nearly every two
  polls), "trivial" (/bench/trivial/, a view that answers "ok" with no query of its own, asked
  for with the session cookie: the middleware loads the session and the user, as for the poll),
  "logged-out" (the poll URL without the session cookie: a redirect to the log-in page, no
  query at all) and "static" (favicon.svg from WhiteNoise: no Django view at all).

With LOAD_FOLLOW=1 a participant also does what the open page does besides polling: on every
change it sees (a changed poll, its own save) it fetches the panels that redraw on
"audit-changed" ("panel", found in the page) and a fresh copy of the page, as live.js does to
redraw the tables ("redraw"); and it posts its presence every 15 s if the page has that
("presence").

The raw times (ms, as locust measured them), the errors, how long joining took and when the
steady part began go to LOAD_RESULTS when locust quits.
"""

import html
import itertools
import json
import os
import random
import re
import time
from collections import defaultdict
from pathlib import Path

import gevent
from gevent.event import Event
from locust import HttpUser, constant_pacing, events, task
from locust.exception import StopUser

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
STEADY_SECONDS = float(os.environ["LOAD_SECONDS"])
FOLLOW = os.environ.get("LOAD_FOLLOW") == "1"
PRESENCE_EVERY = 15
SEATS = itertools.count()
JOINING = {"started": 0.0, "joined": 0, "seconds": 0.0, "at": 0.0}
EVERYONE_IN = Event()
TIMINGS: dict[str, list[float]] = defaultdict(list)
ERRORS: dict[str, list[str]] = defaultdict(list)
ACCEPT_JSON = {"Accept": "application/json"}
HTMX = {"HX-Request": "true"}

# The page's elements that htmx redraws on "audit-changed", and its presence heartbeat.
REDRAWN_ON_CHANGE = re.compile(r'<[^>]*hx-trigger="audit-changed from:body"[^>]*>')
PRESENCE = re.compile(r'<[^>]*hx-post="[^"]*/presence/"[^>]*>')
HX_GET = re.compile(r'hx-get="([^"]+)"')
HX_POST = re.compile(r'hx-post="([^"]+)"')
HX_VALS = re.compile(r"hx-vals='([^']+)'")


@events.request.add_listener
def record(name: str, response_time: float, exception=None, **_) -> None:
    if exception:
        ERRORS[name].append(str(exception)[:200])
    else:
        TIMINGS[name].append(response_time)


@events.quitting.add_listener
def write_results(**_) -> None:
    Path(os.environ["LOAD_RESULTS"]).write_text(
        json.dumps(
            {"timings": TIMINGS, "errors": ERRORS, "joining_seconds": JOINING["seconds"], "steady_from": JOINING["at"]}
        )
    )


class Participant(HttpUser):
    # One tick every 2 s, like live.js; every fifth tick also saves, the other four measure.
    wait_time = constant_pacing(2)

    def on_start(self) -> None:
        seat = PLAN["participants"][next(SEATS)]
        self.number, self.row = seat["number"], seat["row"]
        self.client.cookies.set("sessionid", seat["session"])
        self.audit_url = f"/audits/{PLAN['audit']}/"
        self.page_url = f"{self.audit_url}steps/identify/"
        self.saved = ""  # the teams cell as this participant last saved it: the next save's original
        self.saves = 0
        JOINING["started"] = JOINING["started"] or time.monotonic()
        try:
            self.open_page()
        finally:
            self.joined()
        EVERYONE_IN.wait()
        # Spread the participants' polls over the 2 s and their saves over the 10 s.
        self.tick = random.randrange(5)
        time.sleep(random.uniform(0, 2))
        self.next_presence = time.monotonic() + random.uniform(0, PRESENCE_EVERY)

    def open_page(self) -> None:
        with self.client.get(self.page_url, name="page", catch_response=True) as response:
            page = response.text
            version = re.search(r'data-version="(\d+)"', page)
            token = re.search(r'"x-csrftoken": "(\w+)"', page)
            if response.status_code != 200 or not version or not token:
                response.failure(f"page answered {response.status_code} without a version and a CSRF token")
                raise StopUser()
        self.version, self.csrf_token = int(version.group(1)), token.group(1)
        self.panels = [
            html.unescape(found.group(1)) for tag in REDRAWN_ON_CHANGE.findall(page) if (found := HX_GET.search(tag))
        ]
        presence = PRESENCE.search(page)
        self.presence = presence and html.unescape(HX_POST.search(presence.group(0)).group(1))
        values = presence and HX_VALS.search(presence.group(0))
        self.presence_values = json.loads(html.unescape(values.group(1))) if values else {}

    def joined(self) -> None:
        # Greenlets switch only on I/O, so counting here needs no lock.
        JOINING["joined"] += 1
        if JOINING["joined"] == self.environment.runner.target_user_count:
            JOINING["seconds"] = time.monotonic() - JOINING["started"]
            JOINING["at"] = time.time()
            EVERYONE_IN.set()
            # The same ending as locust's own --run-time, counted from here.
            gevent.spawn_later(STEADY_SECONDS, self.environment.runner.quit)

    @task
    def every_two_seconds(self) -> None:
        self.poll()
        step = self.tick % 5
        self.tick += 1
        if step == 0:
            self.save()
        elif step == 1:
            self.poll_quiet_audit()
        elif step == 2:
            self.trivial()
        elif step == 3:
            self.logged_out()
        else:
            self.static()
        if FOLLOW and self.presence and time.monotonic() >= self.next_presence:
            self.next_presence += PRESENCE_EVERY
            presence = self.client.post(
                self.presence, data=self.presence_values, headers=self.htmx_post, name="presence", catch_response=True
            )
            self.check(presence)

    @property
    def htmx_post(self) -> dict[str, str]:
        return {**HTMX, "X-CSRFToken": self.csrf_token}

    def check(self, response) -> None:
        """Fail the request (it was made with catch_response) unless it answered 200."""
        with response:
            if response.status_code != 200:
                response.failure(f"answered {response.status_code}")

    def poll(self) -> None:
        url = f"{self.audit_url}changes/?since={self.version}"
        # live.js asks for no redirect: a redirect to the log-in page is an error, not an answer.
        with self.client.get(
            url, name="poll", headers=ACCEPT_JSON, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == 204:
                response.request_meta["name"] = "poll-unchanged"
            elif response.status_code == 200:
                response.request_meta["name"] = "poll-changed"
                self.version = response.json()["version"]
            else:
                response.failure(f"poll answered {response.status_code}")
                return
        if response.status_code == 200:
            self.follow_change()

    def follow_change(self) -> None:
        if not FOLLOW:
            return
        for url in self.panels:
            self.check(self.client.get(url, name="panel", headers=HTMX, allow_redirects=False, catch_response=True))
        headers = {"X-Live-Refresh": "1"}
        self.check(
            self.client.get(self.page_url, name="redraw", headers=headers, allow_redirects=False, catch_response=True)
        )

    def save(self) -> None:
        value = f"Participant {self.number}, save {self.saves + 1}"
        data = {
            "csrfmiddlewaretoken": self.csrf_token,
            "field": "teams",
            "original": self.saved,
            "label": "Teams involved",
            "value": value,
        }
        url = f"{self.audit_url}rows/friction/{self.row}/"
        with self.client.post(
            url, data=data, headers=self.htmx_post, name="save", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == 200 and "cell-saved" in response.text:
                self.saved, self.saves = value, self.saves + 1
            else:
                response.failure(f"save answered {response.status_code}")
                return
        # The save answers with an "audit-changed" event (HX-Trigger): the page redraws its panels.
        if "audit-changed" in response.headers.get("HX-Trigger", ""):
            self.follow_change()

    def poll_quiet_audit(self) -> None:
        url = f"/audits/{PLAN['quiet_audit']}/changes/?since={PLAN['quiet_version']}"
        with self.client.get(
            url, name="quiet-poll", headers=ACCEPT_JSON, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 204:
                response.failure(f"quiet poll answered {response.status_code}")

    def trivial(self) -> None:
        # With the session cookie, as the poll: a redirect to log in would be a cheaper request, an error here.
        with self.client.get("/bench/trivial/", name="trivial", allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200 or response.text != "ok":
                response.failure(f"trivial view answered {response.status_code}, not 200 ok")

    def logged_out(self) -> None:
        # An explicit Cookie header keeps the session's cookies off this one request: anonymous.
        url = f"{self.audit_url}changes/?since={self.version}"
        headers = {**ACCEPT_JSON, "Cookie": ""}
        with self.client.get(
            url, name="logged-out", headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302 or "/accounts/login/" not in response.headers.get("Location", ""):
                response.failure(f"anonymous poll answered {response.status_code}, not a redirect to log in")

    def static(self) -> None:
        with self.client.get("/static/favicon.svg", name="static", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"favicon.svg answered {response.status_code}")
