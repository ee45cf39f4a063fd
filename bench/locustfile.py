"""Workshop participants for locust: each does exactly what an open workshop page does.

bench/load.py starts locust with this file against gunicorn and hands it a plan (LOAD_PLAN, a
JSON file): the audit, and for each participant a session key and a friction row of its own, so
that saves never conflict (a 409 is an error here). A participant

- "page": opens the audit's Identify step once. All of them do so at once, as a workshop starts;
  the polling and saving begin when everyone is in and last LOAD_SECONDS from then, so that those
  figures are the steady state, not the queue behind the page renders. From the page it takes
  what the browser would: the poller (`#live-poll`'s hx-get), the CSRF token (body's hx-headers),
  its own cell form (URL and fields) and the presence element (hx-post, hx-vals);
- "poll-changed" / "poll-unchanged": every 2 s, GET the poller's URL with htmx's headers
  (templates/audits/live/poll.html). A 200 answer starts with the new poller: its hx-get is the
  next poll's URL, as when htmx swaps it in. That is all an open page asks for on a change
  (requests_on_change below; tests/browser/test_requests_on_change.py checks that a real page
  asks for exactly that, so the two cannot drift apart);
- "save": every 10 s, posts its cell form as htmx posts it (same URL, fields and headers); the
  next save posts the form the answer holds, as the page would after the swap. The answer's
  "audit-changed" event makes the page poll at once, for its panels: so does the participant;
- "presence": every 15 s, the presence element's POST.

The raw times (ms, as locust measured them), the errors, how long joining took, when the steady
part began and how many changes (saves) it made go to LOAD_RESULTS when locust quits.
"""

import html
import itertools
import json
import math
import os
import random
import re
import time
from collections import defaultdict
from html.parser import HTMLParser
from http.cookiejar import Cookie
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import gevent
from gevent.event import Event
from locust import FastHttpUser, events, task
from locust.exception import StopUser


def requests_on_change(audit_id: int) -> list[tuple[str, str, set[str]]]:
    """What an open workshop page asks for when someone else changes the audit: (method, path, query keys).

    The one place that says it. Besides this, a page only posts its presence every 15 s (PRESENCE_EVERY).
    """
    return [("GET", f"/audits/{audit_id}/changes/", {"since", "step"})]


def as_request(method: str, url: str) -> tuple[str, str, set[str]]:
    parts = urlsplit(url)
    return method, parts.path, set(parse_qs(parts.query, keep_blank_values=True))


POLL_EVERY, SAVE_EVERY, PRESENCE_EVERY = 2, 10, 15
STEP = "identify"
SEATS = itertools.count()
JOINING = {"started": 0.0, "joined": 0, "seconds": 0.0, "at": 0.0}
EVERYONE_IN = Event()
TIMINGS: dict[str, list[float]] = defaultdict(list)
ERRORS: dict[str, list[str]] = defaultdict(list)
TIMELINE: list[tuple[float, str, float, int]] = []
CHANGES = {"steady": 0}
POLLER = re.compile(r'<[^>]*\bid="live-poll"[^>]*>')
FORM = "application/x-www-form-urlencoded"
BODY = re.compile(r"<body\b[^>]*>")
PRESENCE = re.compile(r'<[^>]*\bid="presence"[^>]*>')
HX_GET = re.compile(r'hx-get="([^"]+)"')


class PageParts(HTMLParser):
    """What the browser reads from the page: the poller, the CSRF header, one cell form, the presence element."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.poller: dict = {}
        self.body: dict = {}
        self.presence: dict = {}
        self.form: dict = {}
        self.fields: list[tuple[str, str]] = []
        self.in_form = False
        self.textarea: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "body":
            self.body = attributes
        elif attributes.get("id") == "live-poll":
            self.poller = attributes
        elif attributes.get("id") == "presence":
            self.presence = attributes
        elif tag == "form" and attributes.get("id") == self.form_id:
            self.form, self.in_form = attributes, True
        elif self.in_form and tag == "input" and attributes.get("name"):
            self.fields.append((attributes["name"], attributes.get("value", "")))
        elif self.in_form and tag == "textarea":
            self.textarea = attributes.get("name")
            self.fields.append((self.textarea, ""))
        elif self.in_form and tag == "select":
            self.select = attributes.get("name")
        elif self.select and tag == "option" and "selected" in attributes:
            self.fields.append((self.select, attributes.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self.textarea:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.in_form = False


def parse(text: str, form_id: str) -> PageParts:
    """The page's parts; only the few tags that matter go through the parser (locust shares the server's cores)."""
    form = re.search(rf'<form\b[^>]*\bid="{form_id}".*?</form>', text, re.S)
    tags = [found.group(0) for found in (BODY.search(text), POLLER.search(text), PRESENCE.search(text), form) if found]
    parts = PageParts(form_id)
    parts.feed("".join(tags))
    return parts


@events.request.add_listener
def record(name: str, response_time: float, response_length: int = 0, exception=None, **_) -> None:
    if exception:
        ERRORS[name].append(str(exception)[:200])
    else:
        TIMINGS[name].append(response_time)
        TIMELINE.append((round(time.time(), 3), name, round(response_time, 1), response_length))


@events.quitting.add_listener
def write_results(**_) -> None:
    results = {
        "timings": TIMINGS,
        "errors": ERRORS,
        "joining_seconds": JOINING["seconds"],
        "steady_from": JOINING["at"],
        "changes": CHANGES["steady"],
        "timeline": TIMELINE,  # (when it ended, request, ms, bytes): where the slow ones bunch up
    }
    Path(os.environ["LOAD_RESULTS"]).write_text(json.dumps(results))


def session_cookie(key: str, host: str) -> Cookie:
    """The session cookie, as the browser holds it after logging in."""
    return Cookie(0, "sessionid", key, None, False, host, False, False, "/", True, False, None, False, None, None, {})


class Participant(FastHttpUser):
    # One tick every 2 s, like the poller; every fifth tick also saves, presence when it is due.
    # FastHttpUser (geventhttpclient): what the server sees is the same as with HttpUser, at a fraction of
    # locust's own CPU, which shares the server's cores here.

    def wait_time(self) -> float:
        """Until this page's next tick, on its own clock: every 2 s from its own moment in the first 2 s.

        Each browser keeps its own timer, so a room's polls stay spread over the 2 s. One locust process plays
        them all: with locust's constant_pacing (2 s after the last tick began), a stall of that process (busy
        reading the pages everyone just opened, or the machine pausing it) fires every overdue tick at once
        and keeps them in step from then on, a burst every 2 s that no room of browsers makes. Here a tick that
        ran late is followed by the page's next beat, never by a catch-up.
        """
        now = time.monotonic()
        self.next_tick += POLL_EVERY
        if self.next_tick < now:
            self.next_tick += POLL_EVERY * math.ceil((now - self.next_tick) / POLL_EVERY)
        return self.next_tick - now

    def on_start(self) -> None:
        plan = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
        seat = plan["participants"][next(SEATS)]
        self.steady_seconds = float(os.environ["LOAD_SECONDS"])
        self.number, self.row = seat["number"], seat["row"]
        self.client.cookiejar.set_cookie(session_cookie(seat["session"], urlsplit(self.host).hostname))
        self.audit = plan["audit"]
        self.page_url = f"/audits/{self.audit}/steps/{STEP}/"
        self.form_id = f"cell-friction-{self.row}-teams-form"
        self.saves = 0
        JOINING["started"] = JOINING["started"] or time.monotonic()
        try:
            self.open_page()
        finally:
            self.joined()
        EVERYONE_IN.wait()
        # Spread the participants' polls over the 2 s, their saves over the 10 s and presence over the 15 s.
        self.tick = random.randrange(SAVE_EVERY // POLL_EVERY)
        self.next_tick = time.monotonic() + random.uniform(0, POLL_EVERY)
        time.sleep(self.next_tick - time.monotonic())
        self.next_presence = time.monotonic() + random.uniform(0, PRESENCE_EVERY)

    def open_page(self) -> None:
        with self.client.get(self.page_url, name="page", catch_response=True) as response:
            parts = parse(response.text, self.form_id)
            token = re.search(r'"x-csrftoken":\s*"(\w+)"', parts.body.get("hx-headers", ""))
            if response.status_code != 200 or not parts.poller or not token or not parts.form:
                response.failure(f"page answered {response.status_code} without a poller, a CSRF token or the cell")
                raise StopUser()
        self.poll_url = parts.poller["hx-get"]
        if [as_request("GET", self.poll_url)] != requests_on_change(self.audit):
            ERRORS["page"].append(f"the page polls {self.poll_url}, not what requests_on_change says")
            raise StopUser()
        self.csrf_token = token.group(1)
        self.take_form(parts)
        self.presence_url = parts.presence.get("hx-post")
        self.presence_values = json.loads(parts.presence.get("hx-vals") or "{}")

    def take_form(self, parts: PageParts) -> None:
        self.save_url = parts.form["hx-post"]
        self.form_fields = parts.fields

    def joined(self) -> None:
        # Greenlets switch only on I/O, so counting here needs no lock.
        JOINING["joined"] += 1
        if JOINING["joined"] == self.environment.runner.target_user_count:
            JOINING["seconds"] = time.monotonic() - JOINING["started"]
            JOINING["at"] = time.time()
            EVERYONE_IN.set()
            # The same ending as locust's own --run-time, counted from here.
            gevent.spawn_later(self.steady_seconds, self.environment.runner.quit)

    @task
    def every_two_seconds(self) -> None:
        self.poll()
        if self.tick % (SAVE_EVERY // POLL_EVERY) == 0:
            self.save()
        self.tick += 1
        if self.presence_url and time.monotonic() >= self.next_presence:
            self.next_presence += PRESENCE_EVERY
            self.post_presence()

    def htmx_headers(self, element_id: str) -> dict[str, str]:
        """The headers htmx sends with a request of the element `element_id` (and the CSRF header of <body>)."""
        return {
            "HX-Request": "true",
            "HX-Trigger": element_id,
            "HX-Target": element_id,
            "HX-Current-URL": f"{self.host}{self.page_url}",
            "X-CSRFToken": self.csrf_token,
        }

    def poll(self) -> None:
        # A redirect (to the log-in page) is an error here, not an answer.
        with self.client.get(
            self.poll_url,
            name="poll",
            headers=self.htmx_headers("live-poll"),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 204:
                response.request_meta["name"] = "poll-unchanged"
            elif response.status_code == 200:
                response.request_meta["name"] = "poll-changed"
                poller = POLLER.search(response.text)
                url = poller and HX_GET.search(poller.group(0))
                if not url:
                    response.failure("a changed poll without the new poller")
                    return
                self.poll_url = html.unescape(url.group(1))
            else:
                response.failure(f"poll answered {response.status_code}")

    def save(self) -> None:
        value = f"Participant {self.number}, save {self.saves + 1}"
        data = urlencode([(name, value if name == "value" else field) for name, field in self.form_fields])
        with self.client.post(
            self.save_url,
            data=data,
            headers=self.htmx_headers(self.form_id) | {"Content-Type": FORM},
            name="save",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            parts = parse(response.text, self.form_id) if response.status_code == 200 else None
            if not parts or not parts.form or "cell-saved" not in parts.form.get("class", ""):
                response.failure(f"save answered {response.status_code}")
                return
        # htmx swaps the answer in: the next save posts that form.
        self.take_form(parts)
        self.saves += 1
        if EVERYONE_IN.is_set():
            CHANGES["steady"] += 1
        # The answer says "audit-changed": the page polls at once for its panels (templates/audits/live/poll.html).
        self.poll()

    def post_presence(self) -> None:
        with self.client.post(
            self.presence_url,
            data=urlencode(self.presence_values),
            headers=self.htmx_headers("presence") | {"Content-Type": FORM},
            name="presence",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"presence answered {response.status_code}")
