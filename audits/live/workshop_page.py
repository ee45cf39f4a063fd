"""A workshop page: the audit as one viewer may see it, the live workshop state, and how it renders.

`WorkshopPage.build(request, audit, step)` feeds the full page (`context()`), its main area, its
panels, its rows and its rows' containers — alone, for a delta — from one place. Whatever is the same
for many viewers is rendered once and shared through audits/live/render_cache.py: the main area and the
panels per version, a row per its own data. Their keys hold everything the fragment shows (the
audit, its versions, the language, the viewer's role, what they may see, their votes), so no viewer
gets another's or a stale fragment. The document is loaded only when a fragment is missing.
"""

from functools import cached_property

import segno
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.accounts.permissions import role_allows
from audits.accounts.visibility import HIDING_STEP_OF_TABLE, PROJECTOR, Viewer, document_for, loaded_workshop
from audits.content import guidance, hubspot_example
from audits.content.carry import neighbours, worth_carrying
from audits.content.diagram import ring
from audits.content.document import AuditDocument, progress
from audits.content.tables import AddForms
from audits.live import render_cache, room
from audits.live.deltas import tables_version
from audits.models import Audit, SelfAssessment, Stage, Vote

STEP_KEYS = [step.key for step in guidance.STEPS]
# Exercise 3, steps 2-4: the column each step fills, and its heading.
FRICTION_COLUMNS = {
    "automate": ("automation", gettext_lazy("Solved by automation?")),
    "goals": ("new_goal", gettext_lazy("Solved by a new (shared) goal?")),
    "restructure": ("restructure", gettext_lazy("Solved by restructuring the team?")),
}
# Parts shared by several pages, each with the DOM id panel-<name>; the session bar is per viewer.
# PANELS can be fetched alone (views/workshop.panel); the navigator comes with the page or a delta.
PANELS = {"session", "diagram", "progress", "conversions", "forces-summary"}
PANELS_OF_PAGE = {
    "": ["progress"],
    "metrics": ["conversions"],
    "summary": ["conversions"],
    "forces": ["forces-summary"],
}
# The tables each page shows, by tables.TABLES key; "" is the overview.
TABLES_OF_PAGE = {
    "": ("review",),
    "strategy": ("strategy",),
    "metrics": ("metric", "reading"),
    "forces": ("team", "force"),
    "identify": ("friction",),
    "automate": ("friction",),
    "goals": ("friction",),
    "restructure": ("friction", "assessment"),
}
# A row's template (a partial of audits/partials/rows.html) by table; friction rows of steps 2-4 differ.
ROW_PARTIALS = {
    "strategy": "strategy",
    "metric": "metric",
    "reading": "reading",
    "team": "team",
    "force": "force",
    "friction": "friction",
    "assessment": "assessment",
    "review": "review",
}
# The pages that link to the flywheel's audit before this one and the one after (carry.neighbours).
PAGES_WITH_NEIGHBOURS = {"", "summary"}
# Row context entries the same for every render of the audit: the audit's id is in the key anyway.
UNKEYED = {"audit", "csrf_token", "add_forms"}
ROWS_TEMPLATE = "audits/partials/rows.html"
CONTAINERS_TEMPLATE = "audits/partials/containers.html"


def oob(html: str, swap: str) -> str:
    """`html` (one element) with hx-swap-oob="`swap`" on its first tag, for an out-of-band swap."""
    end = html.index(">")
    if html[end - 1] == "/":
        end -= 1
    return f'{html[:end]} hx-swap-oob="{swap}"{html[end:]}'


def join(fragments) -> str:
    """Rendered fragments one after another, still marked safe for a template."""
    return format_html_join("", "{}", ((fragment,) for fragment in fragments))


class WorkshopPage:
    def __init__(
        self,
        request: HttpRequest,
        audit: Audit,
        step_key: str | None,
        for_projector: bool,
        shared: bool,
        extra: dict,
        answer_at: int | None = None,
    ):
        self.request = request
        self.audit = audit
        self.answer_at = answer_at
        self.step_key = step_key or ""
        self.for_projector = for_projector
        self.extra = extra
        # A page drawn with a refused form or cell (rows.py) is that viewer's alone: never shared.
        self.shared = shared and not extra
        self.workshop = loaded_workshop(audit)
        self.viewer = PROJECTOR if for_projector else Viewer.of(audit, request.user)
        self.can_manage = role_allows(audit.user_role, "manage")
        self.step_locked = bool(self.step_key) and room.is_locked(self.workshop, self.step_key)
        self.can_edit = (
            not for_projector and role_allows(audit.user_role, "edit") and (self.can_manage or not self.step_locked)
        )
        self.voting = self.workshop is not None and self.workshop.voting_open
        self.language = translation.get_language()
        self.csrf_token = render_cache.CSRF_PLACEHOLDER if self.shared else get_token(request)

    @classmethod
    def build(
        cls,
        request: HttpRequest,
        audit: Audit,
        step_key: str | None,
        *,
        for_projector: bool = False,
        shared: bool = True,
        answer_at: int | None = None,
        **extra,
    ) -> "WorkshopPage":
        """The page of `step_key` ("" or None: the overview); the projector's follows room.presenter_step.

        The projector's poll (step "present") says which step the view shows and which step of the facilitator's
        it last saw, as ?shown=…&seen=… (templates/audits/presenter.html).

        `shared`: fragments hold a CSRF placeholder and are shared through the cache; the response must pass
        through render_cache.fill_csrf. Unshared, they carry this request's token and are drawn afresh.
        `answer_at`: the version a poll's answer brings the page to (answers.answer_version), at most the
        audit's: the page says it is at that version and keys its fragments by it, whatever came since.
        """
        if for_projector:
            shown = request.GET.get("shown", step_key)
            step_key = room.presenter_step(loaded_workshop(audit), shown, request.GET.get("seen"))
        if step_key and step_key not in STEP_KEYS:
            step_key = None
        return cls(request, audit, step_key, for_projector, shared, extra, answer_at)

    # --- What this page is -------------------------------------------------------------------------

    @property
    def version(self) -> int:
        return self.audit.content_version if self.answer_at is None else self.answer_at

    @property
    def step(self) -> guidance.Step | None:
        return guidance.step(self.step_key) if self.step_key else None

    @property
    def panels(self) -> list[str]:
        if self.for_projector:
            return []  # its main area is all it shows
        return ["session", "navigator", "diagram", *PANELS_OF_PAGE.get(self.step_key, [])]

    def shows(self, kind: str) -> bool:
        return not self.for_projector and kind in TABLES_OF_PAGE.get(self.step_key, ())

    # --- The viewer's live state (cheap: no document) ---------------------------------------------

    @cached_property
    def my_votes(self) -> dict[str, int]:
        return room.my_votes(self.audit, self.request.user) if self.voting and not self.for_projector else {}

    @property
    def votes_left(self) -> int:
        return self.workshop.votes_per_person - sum(self.my_votes.values()) if self.voting else 0

    @cached_property
    def _carried_from_state(self) -> tuple | None:
        """What the overview shows of the audit this one was carried from (it changes on its own)."""
        if not self.audit.carried_from_id:
            return None
        return tuple(
            Audit.objects.filter(pk=self.audit.carried_from_id).values_list("updated", "deleted_at", "content_version")
        )

    @cached_property
    def year_neighbours(self) -> tuple:
        """The flywheel's audits before and after this one (carry.neighbours), which the overview and summary link."""
        return neighbours(self.audit) if self.step_key in PAGES_WITH_NEIGHBOURS else (None, None)

    def _base_context(self) -> dict:
        return dict(self._base)

    @cached_property
    def _base(self) -> dict:
        workshop, step_key = self.workshop, self.step_key
        context = {
            "page": self,
            "version": self.version,
            "audit": self.audit,
            "flywheel": self.audit.flywheel,
            "steps": guidance.STEPS,
            "stage_choices": Stage.choices,
            "step": self.step,
            "previous_step": guidance.previous_step(step_key) if step_key else None,
            "next_step": guidance.next_step(step_key) if step_key else None,
            "can_edit": self.can_edit,
            "can_manage": self.can_manage,
            "workshop": workshop,
            "timer": room.timer_of(workshop) if workshop else None,
            "step_locked": self.step_locked,
            "step_hidden": bool(step_key) and room.hidden_since(workshop, step_key) is not None,
            "hideable": step_key in room.HIDEABLE_STEPS,
            "named_input": workshop is not None and workshop.named_input,
            "voting": self.voting,
            "my_votes": self.my_votes,
            "votes_left": self.votes_left,
            "facilitator_step": guidance.step(workshop.current_step) if workshop and workshop.current_step else None,
            "csrf_token": self.csrf_token,
        }
        if self.for_projector and step_key in room.HIDEABLE_STEPS:
            context["hidden_rows"] = room.hidden_count(self.audit, workshop, step_key)
        if self.can_manage:
            link = room.active_join_link(self.audit)
            join_url = reverse("audits:join", kwargs={"token": room.join_token(link)}) if link else ""
            context |= {
                "join_link": link,
                "join_url": self.request.build_absolute_uri(join_url) if link else "",
                "join_hours": room.JOIN_HOURS,
            }
        return context | self.extra

    def context(self) -> dict:
        """The full page's context. The document and what comes of it are read only if a template asks."""
        return self._base_context() | {
            "doc": SimpleLazyObject(lambda: self.document),
            "progress": SimpleLazyObject(lambda: self._full_context()["progress"]),
            "main": self.render_main,
            "main_content": self.render_main_content,
        }

    # --- The document, loaded on a cache miss only ------------------------------------------------

    @cached_property
    def document(self) -> AuditDocument:
        document = document_for(self.audit, self.viewer)
        return room.sorted_by_votes(document) if room.shows_results(self.workshop, document) else document

    @cached_property
    def show_results(self) -> bool:
        return room.shows_results(self.workshop, self.document)

    @cached_property
    def voters(self) -> dict[str, list[str]]:
        return room.voters_of(self.audit) if self.show_results and self.workshop.named_votes else {}

    def _full_context(self) -> dict:
        if "_full" not in self.__dict__:
            document = self.document
            self.__dict__["_full"] = self._base_context() | {
                "doc": document,
                "progress": progress(document),
                "diagram": list(
                    zip(
                        ring(
                            Stage.values,
                            cx=220,
                            cy=220,
                            outer_radius=170,
                            inner_radius=104,
                            labels=[stage.label for stage in document.stages],
                        ),
                        document.stages,
                        strict=True,
                    )
                ),
                "add_forms": AddForms(),
                "show_results": self.show_results,
                "voters": self.voters,
                **self._step_context(document),
                **self.extra,
            }
        return self.__dict__["_full"]

    def _step_context(self, document: AuditDocument) -> dict:
        previous_audit, next_audit = self.year_neighbours
        years = {"previous_audit": previous_audit, "next_audit": next_audit}
        if not self.step_key:
            return years | {
                "worth_carrying": worth_carrying(document),
            }
        if self.step_key == "summary":
            return years
        context = {
            "example": hubspot_example,
            "example_forces": [(team, hubspot_example.forces_of(team.key)) for team in hubspot_example.TEAMS],
            "example_assessment": [
                (SelfAssessment.Question(key).label, answer) for key, answer in hubspot_example.SELF_ASSESSMENT.items()
            ],
        }
        if self.step_key in FRICTION_COLUMNS:
            context |= friction_step_context(document, self.step_key)
        return context

    # --- Cache keys ---------------------------------------------------------------------------------

    @cached_property
    def _identity(self) -> tuple:
        """The audit itself: its id and when it was made (ids come back in a restored database), its flywheel."""
        audit = self.audit
        return (audit.pk, audit.created.isoformat(), audit.flywheel_id, audit.flywheel.name, audit.language)

    @cached_property
    def _state(self) -> tuple:
        """Where the tables and what viewers may see or edit are at. A live change that alters neither (a timer,
        the facilitator's step, a vote while totals are blank) leaves it as it is, so fragments stay shared."""
        workshop = self.workshop
        layout = workshop.layout_version if workshop is not None else 0
        # A poll's answer is keyed by the version it brings pages to. Every request that draws it reads the
        # audit at that version or later, so a page is never told it is at a version it has not been shown.
        tables = tables_version(self.audit) if self.answer_at is None else ("answer", self.answer_at)
        return (tables, layout, self.audit.updated.isoformat(), self.audit.title)

    def _sees(self, kind: str):
        """Which rows of table `kind` this viewer sees: all, or (anonymous input) only the ones they may."""
        step = HIDING_STEP_OF_TABLE.get("force" if kind == "team" else kind)
        hiding = self.workshop is not None and step in self.workshop.hidden_steps
        return ("rows of", self.viewer.user_id) if hiding and not self.viewer.sees_all else "all rows"

    @cached_property
    def _viewer_class(self) -> tuple:
        """What sets this viewer's view apart: role, lock (can_edit), the hidden rows they may see."""
        sees = tuple(self._sees(kind) for kind in HIDING_STEP_OF_TABLE)
        return (self.can_edit, self.can_manage, self.for_projector, sees)

    @cached_property
    def _votes_state(self) -> tuple | None:
        """While voting is open, each viewer's rows show their own dots and whether they have any left."""
        if not self.voting or self.for_projector:
            return None
        return (tuple(sorted(self.my_votes.items())), self.votes_left > 0)

    def _page_key(self, part: str, *, votes: bool = True, version: bool = False) -> str:
        return render_cache.key(
            "page",
            self._identity,
            self._state,
            self.version if version else None,
            None if self.step_key else self._carried_from_state,
            self.year_neighbours if part == "main" else None,
            self.step_key,
            part,
            self.language,
            self._viewer_class,
            self._votes_state if votes else None,
        )

    def _row_key(self, kind: str, partial: str, row_id: int) -> str:
        """A row as this page draws it at this state: found without reading the document."""
        if not self.voting or self.for_projector or kind not in ("friction", "force", "team"):
            votes = None
        elif kind == "team":
            votes = self._votes_state
        else:
            votes = (self.my_votes.get(room.vote_key(kind, row_id), 0), self.votes_left > 0)
        step = self.step_key if partial == "friction-step" else ""
        viewer = (self.can_edit, self.can_manage, self.for_projector, self._sees(kind))
        return render_cache.key(
            "row", self._identity, self._state, kind, partial, step, row_id, self.language, viewer, votes
        )

    def _content_key(self, partial: str, context: dict) -> str:
        # Everything the row's template reads is in its context: the key is a digest of it, so a row that
        # did not change is drawn once whatever the audit's version.
        parts = sorted((name, value) for name, value in context.items() if name not in UNKEYED)
        return render_cache.key("row content", self._identity, partial, self.language, parts)

    def shared_fragment(self, part: str, render, timeout: int = render_cache.TIMEOUT) -> str:
        """What `render()` gives, shared under this page's key (with its version) and `part`."""
        return self._fragment(self._page_key(part, version=True), render, timeout, wait=True)

    def _fragment(self, key: str, render, timeout: int = render_cache.TIMEOUT, wait: bool = False) -> str:
        if not self.shared:
            return render()
        return render_cache.fragment(key, render, timeout, wait=wait)

    # --- Rendering ----------------------------------------------------------------------------------

    def render_main_content(self) -> str:
        """What the step shows (without the pager): shared by every viewer of the same kind."""
        if "_main_content" not in self.__dict__:
            template = (
                "audits/audit_detail.html#main" if not self.step_key else f"audits/steps/{self.step_key}.html#main"
            )
            # A room opening the page at once draws it once (render_cache._drawn_once).
            self.__dict__["_main_content"] = self._fragment(
                self._page_key("main"), lambda: get_template(template).render(self._full_context()), wait=True
            )
        return self.__dict__["_main_content"]

    def render_main(self) -> str:
        """The main area, `<div class="workshop-main" id="workshop-main">…</div>` (a template may ask twice)."""
        if "_main" not in self.__dict__:
            self.__dict__["_main"] = self._render_main()
        return self.__dict__["_main"]

    def _render_main(self) -> str:
        if self.for_projector:
            join_url = self._base.get("join_url", "")
            context = self._full_context() | {
                "qr": qr_code(join_url) if join_url else "",
                "present_count": len(room.present_people(self.audit)),
            }
            return get_template("audits/presenter.html#main").render(context)
        context = self._base_context() | {"main_content": self.render_main_content()}
        return get_template("audits/partials/workshop_main.html").render(context)

    def render_panel(self, name: str) -> str:
        """One shared part of the page, with the DOM id panel-<name>."""
        if name not in PANELS and name != "navigator":
            raise ValueError(f"No panel {name!r}.")
        template = "audits/partials/navigator.html#nav" if name == "navigator" else f"audits/panels/{name}.html#panel"
        if name == "session":
            context = self._base_context() | {"show_results": self._session_shows_results()}
            return get_template(template).render(context)
        return self._fragment(
            self._page_key(name, votes=False), lambda: get_template(template).render(self._full_context())
        )

    def _session_shows_results(self) -> bool:
        """Whether the facilitator may clear the votes: voting closed and anyone voted (no document needed)."""
        if "_full" in self.__dict__:
            return self.show_results
        if not self.can_manage or self.workshop is None or self.voting:
            return False
        return Vote.objects.filter(audit=self.audit).exists()

    def render_rows(self, kind: str, row_ids) -> dict[int, str]:
        """The rows of table `kind` this page shows and this viewer may see, among `row_ids`, by id (in that order).

        Rows drawn at this state come from the cache; the document is read only for the others.
        """
        if not self.shows(kind):
            return {}
        row_ids = list(dict.fromkeys(row_ids))
        if not self.shared:
            return self._rows_from_document(kind, row_ids)
        partial = self._partial(kind)
        keys = {row_id: self._row_key(kind, partial, row_id) for row_id in row_ids}
        found = render_cache.get_many(keys)
        missing = [row_id for row_id in row_ids if row_id not in found]
        if missing:
            drawn = self._rows_from_document(kind, missing)
            # "" remembers a row this viewer does not get here (hidden from them, or not on this step).
            absent = {row_id: "" for row_id in missing if row_id not in drawn}
            render_cache.set_many({keys[row_id]: "" for row_id in absent})
            found |= drawn | absent
        return {row_id: found[row_id] for row_id in row_ids if found[row_id]}

    def _rows_from_document(self, kind: str, row_ids: list) -> dict:
        wanted = set(row_ids)
        rows = [row for group in self._groups(kind) for row in self._rows_of(kind, group) if row.id in wanted]
        return dict(zip([row.id for row in rows], self._render_rows(kind, rows), strict=True))

    def render_container(self, kind: str, group_id=None) -> str:
        """A table's rows container (`id="rows-<kind>"` or `rows-<kind>-<group_id>`), with its rows."""

        def render() -> str:
            context = self._full_context() | {"group": self._group(kind, group_id)}
            return get_template(f"{CONTAINERS_TEMPLATE}#{kind}").render(context)

        return self._fragment(self._page_key(f"container {kind} {group_id}"), render)

    def rows_html(self, kind: str, group_id=None) -> str:
        """The rows of one container, in order: what the container templates put inside it."""
        return join(self._render_rows(kind, self._rows_of(kind, group_id)))

    # --- Rows ---------------------------------------------------------------------------------------

    def _groups(self, kind: str) -> list:
        if kind == "force":
            return [team.id for team in self.document.teams]
        if kind == "reading":
            return [metric.id for metric in self.document.metrics]
        if kind == "metric":
            return list(Stage.values)
        return [None]

    def _group(self, kind: str, group_id):
        if kind == "force":
            return next((team for team in self.document.teams if team.id == group_id), None)
        if kind == "reading":
            return next((metric for metric in self.document.metrics if metric.id == group_id), None)
        return None

    def _rows_of(self, kind: str, group_id=None) -> list:
        document = self.document
        if kind == "friction":
            if self.step_key in FRICTION_COLUMNS:
                return document.friction_reaching(FRICTION_COLUMNS[self.step_key][0])
            return list(document.friction)
        if kind in ("force", "reading"):
            group = self._group(kind, group_id)
            return list(group.forces if kind == "force" else group.readings) if group else []
        if kind == "metric":
            return [metric for metric in document.metrics if group_id is None or metric.stage == group_id]
        rows = {
            "strategy": document.strategies,
            "team": document.teams,
            "assessment": document.self_assessment,
            "review": document.action_reviews,
        }[kind]
        return list(rows)

    def _partial(self, kind: str) -> str:
        return "friction-step" if kind == "friction" and self.step_key in FRICTION_COLUMNS else ROW_PARTIALS[kind]

    def _render_rows(self, kind: str, rows: list) -> list[str]:
        partial = self._partial(kind)
        contexts = [self._row_context(kind, row) for row in rows]

        def render(indexes) -> dict:
            template = get_template(f"{ROWS_TEMPLATE}#{partial}")
            return {index: template.render(contexts[index]) for index in indexes}

        if not self.shared:
            html = render(range(len(contexts)))
            return [html[index] for index in range(len(rows))]
        keys = {index: self._content_key(partial, context) for index, context in enumerate(contexts)}
        html = render_cache.fragments(keys, render)
        drawn = [html[index] for index in range(len(rows))]
        # The next page or delta at this state finds them without reading the document.
        render_cache.set_many(
            {self._row_key(kind, partial, row.id): text for row, text in zip(rows, drawn, strict=True) if row.id}
        )
        return drawn

    def _row_context(self, kind: str, row) -> dict:
        context = {
            "audit": self.audit,
            "csrf_token": self.csrf_token,
            "row": row,
            "can_edit": self.can_edit,
        }
        if kind in ("friction", "force"):
            key = room.vote_key(kind, row.id)
            context |= {
                "named_input": self.workshop is not None and self.workshop.named_input,
                "voting": self.voting,
                "show_results": self.show_results,
                "dots": self.my_votes.get(key, 0),
                "votes_left": min(self.votes_left, 1),  # the + button is on or off
                "voter_names": ", ".join(self.voters.get(key, [])),
            }
        if kind == "friction" and self.step_key in FRICTION_COLUMNS:
            context |= {
                name: value
                for name, value in self._full_context().items()
                if name in ("field", "column_title", "label_prefix", "earlier_columns")
            }
            context["column_title"] = str(context["column_title"])
            context["earlier_columns"] = tuple((field, str(title)) for field, title in context["earlier_columns"])
        if kind == "team":
            context["forces_html"] = self.rows_html("force", row.id)
            context["add_forms"] = self.extra.get("add_forms") or AddForms()
        if kind == "metric":
            context["readings_html"] = self.rows_html("reading", row.id)
            context["add_forms"] = self.extra.get("add_forms") or AddForms()
        if kind == "reading":
            metric = self._reading_metric(row.id)
            context |= {"metric_id": metric.id, "metric_kind": metric.kind}
        if "cell_state" in self.extra:
            context["cell_state"] = self.extra["cell_state"]
        return context

    def _reading_metric(self, reading_id: int):
        if "_metric_of_reading" not in self.__dict__:
            self.__dict__["_metric_of_reading"] = {
                reading.id: metric for metric in self.document.metrics for reading in metric.readings
            }
        return self.__dict__["_metric_of_reading"][reading_id]


def qr_code(url: str) -> str:
    """The join link as a QR code: an SVG drawn on the server, as a data: URL for an <img>."""
    return segno.make(url, error="m").svg_data_uri(scale=8, omitsize=True, dark="#111", light="#fff")


def friction_step_context(document: AuditDocument, step_key: str) -> dict:
    field, title = FRICTION_COLUMNS[step_key]
    keys = list(FRICTION_COLUMNS)
    rows = document.friction_reaching(field)
    return {
        "field": field,
        "column_title": title,
        "label_prefix": _("%(column)s Row ") % {"column": title},
        "earlier_columns": [FRICTION_COLUMNS[key] for key in keys[: keys.index(step_key)]],
        "rows": rows,
        "settled_before": len(document.friction) - len(rows),
        "empty_message": (
            _("No friction identified yet: start with step 1.")
            if not document.friction
            else _("Every row was settled at an earlier step: nothing to answer here.")
        ),
    }
