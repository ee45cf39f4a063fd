"""The live poll's answer: what changed (audits/live/deltas.py), drawn as htmx out-of-band fragments.

First the poller itself with the new version, then, for the page's step only: each edited row
(morphed in place, so a cell someone is typing in keeps what they typed), each added row appended
to its container, each deleted row removed, each redrawn rows container, and the step's shared
panels. A page too far behind, or whose viewer may now see or edit something else, gets its main
area once instead of row fragments. Every fragment comes from the WorkshopPage, which renders what
is the same for many viewers once and leaves out the rows this viewer may not see.
"""

import gzip
import json
import re
import time
from collections import defaultdict
from functools import cached_property
from types import SimpleNamespace

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers

from audits.accounts.permissions import PollState
from audits.accounts.visibility import loaded_workshop
from audits.live import render_cache
from audits.live.deltas import Changes, changes_since, live_changes_since
from audits.live.workshop_page import PAGES_WITH_NEIGHBOURS, WorkshopPage, oob

PRESENTER = "present"  # the poll's step for the presenter view
# An answer, and the drawing of the recent changes it takes its rows from, serve the pages polling within
# seconds of the change: kept a minute, not the hours of a row's fragment (there is one per version).
DELTA_SECONDS = 60
# The version of each moment's first poll is kept this long: answer_base looks 10 s back.
MOMENT_SECONDS = 15
# Answers are drawn from the version that began a stretch of this many moments (2 s, a page's poll interval).
BASE_MOMENTS = 4
# How long a poll waits for the answer another request is drawing before it answers "unchanged" (204).
ANSWER_WAIT_SECONDS = 0.25
TOKEN_FIELD = f'<input type="hidden" name="csrfmiddlewaretoken" value="{render_cache.CSRF_PLACEHOLDER}">'
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# The element each table's rows are on the page, and the element of its rows container.
ROW_TAGS = {"team": "section", "metric": "article"}
CONTAINER_TAGS = {"team": "div", "metric": "div"}
# Pages whose main area sums tables up instead of showing their rows one by one (the summary's final
# table, action items and key numbers), and the friction steps 2-4, which show only the rows still
# open and count the rest: a change to what they sum up, or a friction row that comes, goes or
# settles, redraws their main area.
SUMMED_UP = {"summary": {"friction", "force", "team", "metric", "reading"}}
OPEN_FRICTION_STEPS = {"automate", "goals", "restructure"}


def row_dom_id(kind: str, row_id: int) -> str:
    return f"{kind}-{row_id}" if kind in ROW_TAGS else f"{kind}-row-{row_id}"


def container_dom_id(kind: str, group_id: int | None) -> str:
    return f"rows-{kind}" if group_id is None else f"rows-{kind}-{group_id}"


def answer_version(audit_id: int, version: int) -> int:
    """The version a poll's answer brings a page to: the audit's when the first page asked in this moment
    (settings.LIVE_ANSWER_SECONDS, half a second), or `version` (what this request read) if that is lower.

    In a busy room every page then asks from one of a few versions, and each answer is drawn once for all
    of them, not once per change (20 a second with 200 people saving); a change waits at most a moment
    more. Whatever draws the answer reads the audit at that version or later, so a page is never told it
    is at a version it has not been shown; it may be shown a little more, which the next answer repeats.
    """
    seconds = settings.LIVE_ANSWER_SECONDS
    if not seconds:
        return version
    moment = int(time.time() / seconds)
    return min(version, render_cache.first_value(_moment_key(audit_id, moment), version, timeout=MOMENT_SECONDS))


def answer_base(audit_id: int, since: int) -> int:
    """The version a poll's answer is drawn from, for a page at version `since`: the latest version that began
    a 2 s stretch of moments (BASE_MOMENTS) at or before `since`, else `since` itself.

    Pages are at the versions earlier moments brought them to, and a page polling every 2 s is one of four
    or five of them behind; answered from each, every moment drew four answers and more (3.6 a moment at 200
    people, each drawing its rows and panels), and more still once the server fell behind. From the start of
    the stretch their version is in, they share one or two: an answer then holds up to 2 s of changes the page
    has already, which it takes again harmlessly (rows morph in place, an added row it has is morphed, not
    added twice).
    """
    seconds = settings.LIVE_ANSWER_SECONDS
    if not seconds:
        return since
    moment = int(time.time() / seconds)
    latest = moment - moment % BASE_MOMENTS
    starts = {start: _moment_key(audit_id, start) for start in range(latest, latest - 5 * BASE_MOMENTS, -BASE_MOMENTS)}
    versions = render_cache.get_many(starts).values()
    return max((version for version in versions if version <= since), default=since)


def _moment_key(audit_id: int, moment: int) -> str:
    return f"answer-version:{audit_id}:{moment}"


def answer_key(state: PollState, user_id: int, step: str, since: int, answered: int, base=None) -> str | None:
    """The key of a poll's whole answer, known from the poll's one query, when it is the same for many pages.

    It holds what the page's own keys hold (WorkshopPage._page_key): the audit (id, times, title, language,
    flywheel's name), its layout version (locks, hiding, voting — what viewers may see or edit), the versions
    drawn from (`base`, answer_base; default `since`) and brought to, the step, the language and the role; and
    the viewer themself while voting is open (their dots) or a step is hidden (their own rows). None — the
    answer is drawn for this page — for the overview and the summary (they also show the flywheel's audits
    before and after this one, which change on their own), the presenter (drawn for itself) and a page whose
    session bar moved since its version (each viewer's own).
    """
    fields = state.fields
    # The workshop row's live versions, as the poll's query read them (none: no workshop row yet).
    workshop = SimpleNamespace(**fields) if fields["logged_from"] is not None else None
    if step in PAGES_WITH_NEIGHBOURS or step == PRESENTER or session_moved(workshop, since):
        return None
    hidden = fields["hidden_steps"]
    hidden = json.loads(hidden) if isinstance(hidden, str) else hidden
    viewer = user_id if fields["voting_open"] or hidden else None
    audit = [fields[name] for name in ("created", "updated", "title", "language", "flywheel_name", "layout_version")]
    language = translation.get_language()
    drawn_from = since if base is None else base
    return render_cache.key("answer", state.audit_id, *audit, drawn_from, answered, step, language, state.role, viewer)


def delta_html(audit, page: WorkshopPage, step: str, since: int, base: int, store_as: str | None = None) -> str:
    """The answer's body to a page at version `since`, drawn from version `base` (answer_base), stored whole
    under `store_as` if it is the same for every page that key names (answer_key: no session bar of its own
    in it).

    Pages of one kind of viewer at the same version get the same fragments: they are composed once
    and shared (the key holds the audit's version, the language and what sets the viewer apart).
    The session bar is each viewer's own (their votes left, a timer's seconds), drawn per request.
    """
    poller = render_to_string("audits/live/poll.html", {"audit": audit, "version": page.version, "step_key": step})
    if step == PRESENTER:
        # The presenter shows no tables but what they add up to, the facilitator's step and who is here:
        # it is drawn whole, and only for itself.
        parts = [oob(page.render_main(), "morph"), *_panels(page)]
        return poller + "".join(parts)
    body = _shared(page, f"delta-from-{base}", lambda: "".join(_changed_parts(audit, page, base)))
    if "session" in page.panels and session_moved(page.workshop, since):
        return poller + body + oob(page.render_panel("session"), "morph")
    if store_as and (packed := packed_answer(poller + body)):
        render_cache.put(store_as, packed, timeout=DELTA_SECONDS)
        return without_tokens(poller + body)
    return poller + body


def without_tokens(html: str) -> str:
    return html.replace(TOKEN_FIELD, "")


def packed_answer(html: str) -> bytes | None:
    """A whole answer as stored for every page its key names: without the forms' CSRF fields, which are
    each session's own (htmx sends the page's token as a header; static/js/live.js gives it to a form
    posted without htmx), and gzipped once. A busy room's answer holds dozens of rows, ~200 kB: every
    page gets ~20 kB over the room's wifi, and the cache and the workers move a tenth of it. None if a
    token is left in anything else."""
    html = without_tokens(html)
    if render_cache.CSRF_PLACEHOLDER in html:
        return None
    return gzip.compress(html.encode(), compresslevel=6, mtime=0)


def answer_response(packed: bytes, request) -> HttpResponse:
    """A stored answer as it is when the browser takes gzip (they all do), else unpacked."""
    if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(packed, headers={"Content-Encoding": "gzip"})
    else:
        response = HttpResponse(gzip.decompress(packed))
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def session_moved(workshop, since: int) -> bool:
    """Whether the session bar changed since `since`: it shows the live state alone (the timer, the
    facilitator's step, a lock, hiding, voting and the votes left), which every change of it records
    on the workshop row. Edits to the tables, the common case, leave it as the page has it."""
    return workshop is not None and (since < workshop.logged_from or any(live_changes_since(workshop, since)))


def _shared(page: WorkshopPage, part: str, render) -> str:
    return page.shared_fragment(part, render, timeout=DELTA_SECONDS)


def _changed_parts(audit, page: WorkshopPage, since: int) -> list[str]:
    """What changed since `since` on this page, then its shared panels (but the session bar)."""
    # Every page at `since` or later takes this answer (answer_base): a row that came and went goes too.
    changes = changes_since(audit, since, until=page.version, for_later_pages=True)
    if main_changed(page.step_key, changes):
        parts = [oob(page.render_main(), "morph")]
    else:
        deleted = changes.deleted_for(page.viewer, loaded_workshop(audit))
        parts = row_fragments(Drawn(page, audit, since), changes, deleted)
    return parts + _panels(page, but="session")


class Drawn:
    """The page's rows and containers as they are now, drawn once for every page not far behind.

    Pages poll with many versions (each its own `since`) while the audit moves on; what they need at
    this version is a part of what changed in the last WINDOW versions. That is drawn once, shared,
    and each answer takes its part; anything else (a page further behind, a table that became empty
    since its version) is drawn for it alone.
    """

    # In a busy room (200 people saving every 10 s: 20 changes a second) a page polling every 2 s is up to
    # 50 versions behind: each of them takes its rows from this one drawing.
    WINDOW = 60

    def __init__(self, page: WorkshopPage, audit, since: int):
        self.page, self.audit, self.since = page, audit, since

    @cached_property
    def shared(self) -> dict[str, str]:
        """The window's rows and containers by DOM id (read only when this answer has rows to send)."""
        workshop = loaded_workshop(self.audit)
        start = max(self.page.version - self.WINDOW, workshop.logged_from if workshop else 0)
        if self.since < start:
            return {}
        window = _shared(self.page, f"delta-window-{start}", lambda: json.dumps(self._window(self.audit, start)))
        return json.loads(window)

    def _window(self, audit, start: int) -> dict[str, str]:
        changes = changes_since(audit, start, until=self.page.version)
        if changes is None:
            return {}
        page, drawn = self.page, {}
        for kind in sorted({kind for kind, _id in changes.drawn}):
            ids = sorted(row_id for row_kind, row_id in changes.drawn if row_kind == kind)
            rows = page.render_rows(kind, ids) if page.shows(kind) else {}
            # "": not on this page or hidden from this viewer, which is an answer too.
            drawn |= {row_dom_id(kind, row_id): rows.get(row_id, "") for row_id in ids}
        for kind, group_id in changes.containers:
            if page.shows(kind):
                drawn[container_dom_id(kind, group_id)] = page.render_container(kind, group_id)
        return drawn

    def rows(self, kind: str, row_ids: list[int]) -> dict[int, str]:
        """The rows of `kind` among `row_ids` this page shows to this viewer, by id."""
        known = {
            row_id: self.shared[row_dom_id(kind, row_id)]
            for row_id in row_ids
            if row_dom_id(kind, row_id) in self.shared
        }
        missing = [row_id for row_id in row_ids if row_id not in known]
        drawn = self.page.render_rows(kind, missing) if missing else {}
        return {row_id: html for row_id in row_ids if (html := known.get(row_id) or drawn.get(row_id))}

    def container(self, kind: str, group_id: int | None) -> str:
        dom_id = container_dom_id(kind, group_id)
        return self.shared[dom_id] if dom_id in self.shared else self.page.render_container(kind, group_id)


def main_changed(step: str, changes: Changes | None) -> bool:
    """Whether the page of `step` gets its main area afresh rather than rows."""
    if changes is None or changes.layout:
        return True
    structural = {kind for kind, _id in changes.deleted | changes.containers} | {kind for kind, *_ in changes.added}
    edited = {kind for kind, _id in changes.edited}
    if (structural | edited) & SUMMED_UP.get(step, set()):
        return True
    return step in OPEN_FRICTION_STEPS and "friction" in structural


def _panels(page: WorkshopPage, but: str = "") -> list[str]:
    return [oob(page.render_panel(name), "morph") for name in page.panels if name != but]


def row_fragments(drawn: Drawn, changes: Changes, deleted: list[tuple[str, int]]) -> list[str]:
    page = drawn.page
    parts = [
        _table_part(kind, oob(drawn.container(kind, group_id), "morph"))
        for kind, group_id in sorted(changes.containers, key=str)
        if page.shows(kind)
    ]
    edited = defaultdict(list)
    for kind, row_id in sorted(changes.edited):
        edited[kind].append(row_id)
    for kind, row_ids in edited.items():
        if page.shows(kind):
            parts += [_table_part(kind, oob(html, "morph")) for html in drawn.rows(kind, row_ids).values()]
    parts += _added(drawn, changes.added)
    parts += [_table_part(kind, _deleted(kind, row_id)) for kind, row_id in deleted if page.shows(kind)]
    return parts


def _table_part(kind: str, html: str) -> str:
    # After the poller's <div> the HTML parser drops a stray <tr> or <tbody>; inside a <template> it
    # keeps them, and htmx finds out-of-band elements there too.
    return html if kind in ROW_TAGS else f"<template>{html}</template>"


def _deleted(kind: str, row_id: int) -> str:
    tag = ROW_TAGS.get(kind, "tr")
    return f'<{tag} id="{row_dom_id(kind, row_id)}" hx-swap-oob="delete"></{tag}>'


def _added(drawn: Drawn, added) -> list[str]:
    """Added rows, appended to their containers: htmx appends the children of the fragment it gets."""
    groups = defaultdict(list)  # (kind, group id) -> row ids, in the order they came
    for kind, row_id, group_id in added:
        if drawn.page.shows(kind):
            groups[(kind, group_id)].append(row_id)
    parts = []
    for (kind, group_id), row_ids in groups.items():
        rows = drawn.rows(kind, row_ids)
        if not rows:  # e.g. hidden from this viewer
            continue
        tag = CONTAINER_TAGS.get(kind, "tbody")
        target = container_dom_id(kind, group_id)
        html = "".join(rows[row_id] for row_id in row_ids if row_id in rows)
        parts.append(_table_part(kind, f'<{tag} hx-swap-oob="beforeend:#{target}">{html}</{tag}>'))
    return parts
