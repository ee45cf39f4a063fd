"""How long each export and import takes, for a small, a medium and a large audit, next to the bare library cost.

bench/run.py calls `run` after the page table, with the audits it built (Django is set up and the
throwaway database is live). Each writer is timed from an already-loaded AuditDocument, so only
the writer is measured: the median of RUNS calls after a warm-up, each call after a full garbage
collection (outside the timer), so that a collection the earlier calls' garbage sets off does
not land at random in one of them — without it, the large xlsx median wobbled by 30%.

Baselines, measured in the same run on the same document:
- pptx: one plain python-pptx Presentation, one table per slide (~15 rows each) holding the cell
  texts of the deck's tables (strategy, metrics, forces, friction, self-assessment, actions),
  flattened straight from the document; no styling, no charts, no other slides.
- xlsx: one plain openpyxl Workbook, one sheet per table, the same cells appended row by row
  (ws.append): every cell the writer fills, and no other — a formula's cell as its value (0 when
  unknown), periods as dates, the hidden Lists sheet's choices, no empty text; no styling,
  formulas, tables, dropdowns, print setup or charts.
- json: json.dumps of the dict the writer dumps (exports/json.as_data), without building it.

The medium audit halves every row count of the large one (150 friction rows, 75 forces in 5 teams,
6 metrics × 36 months), so a large/medium ratio near 2 — or below, with fixed costs — means the
cost grows linearly with the rows; well above 2 would be a quadratic step. Small to large is
~50× in rows (6 → 300 friction, 3 → 150 forces) but not in every count, so it is only indicative.

Imports: read_file (parsing) and read_file + to_document (parsing and validation, nothing saved)
of the exported xlsx and JSON files, then document.save of the validated document. Finally the
export view, end to end through django.test.Client, on the large audit, timed in turns with the
same load + writer in-process: the median difference is what the HTTP path adds.
"""

import gc
import json
import os
import statistics
import time
from collections.abc import Callable
from functools import partial
from io import BytesIO

from django.test import Client
from django.urls import reverse
from openpyxl import Workbook
from pptx import Presentation
from pptx.util import Inches

from audits.content.document import AuditDocument, load, save
from audits.content.sample import build_large_audit
from audits.models import ActionReview, Audit, Flywheel, Force, FrictionPoint, Metric, SelfAssessment, Stage
from audits.reports.exports import export
from audits.reports.exports.json_export import as_data
from audits.reports.imports import read_file, to_document

RUNS = int(os.environ.get("BENCH_EXPORT_RUNS", "5"))
WARM_UP = 1
ROWS_PER_SLIDE = 15
FORMATS = ("pptx", "xlsx", "json")
SIZES = ("small", "medium", "large")
MEDIUM = {"friction": 150, "forces": 75, "teams": 5, "metrics": 6, "periods": 36}
BARE_TARGET = 2.0  # the aim: each writer within 2× of the bare library cost
LINEAR_LIMIT = 2.5  # large/medium above this: the cost grows faster than the rows

Table = list[list[str]]


def median_ms(action: Callable[[], object]) -> float:
    for _ in range(WARM_UP):
        action()
    times = []
    for _ in range(RUNS):
        gc.collect()  # outside the timer: no run pays for the garbage of the runs before it
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


# --- The same cells, flattened straight from the document -----------------------------------------


def _text(value) -> str:
    return "" if value is None else str(value)


def deck_tables(document: AuditDocument) -> list[tuple[list[str], list[list[str]]]]:
    """The deck's tables as (header, rows of cell texts); the forces one table per team, as in the deck."""
    tables = [
        (
            ["Stage", "Inbound principle", "Approach"],
            [[row.stage_label, row.principle, row.approach] for row in document.strategies],
        ),
        (
            ["Stage", "Metric", "Kind", "Latest", "Change", "Unit / period"],
            [
                [
                    metric.stage_label,
                    metric.name,
                    metric.kind,
                    f"{_text(metric.latest_value)} ({metric.latest.label})" if metric.latest else "",
                    _text(metric.latest_change),
                    f"{metric.unit} / {metric.period}",
                ]
                for metric in document.metrics
            ],
        ),
        *(
            (
                ["Force", "Before → now", "Planned change", "Owner"],
                [
                    [force.name, f"{force.before}\n→ {force.now}", force.planned_change, force.owner]
                    for force in team.forces
                ],
            )
            for team in document.teams
        ),
        (
            ["Source of friction", "Automation", "New goal", "Restructure"],
            [[row.source, row.automation, row.new_goal, row.restructure] for row in document.friction],
        ),
        (
            ["Question", "Answer", "Notes"],
            [[row.question_label, row.answer, row.notes] for row in document.self_assessment],
        ),
        (
            ["For", "Fix", "Owner", "Due"],
            [[item.what, item.fix, item.owner, _text(item.due_date)] for item in document.action_items],
        ),
    ]
    return [(header, rows) for header, rows in tables if rows]


def _computed(value):
    """A formula's cell as a value: written in every row, as the workbook writes the formula (0 when unknown)."""
    return 0 if value is None else value


def workbook_tables(document: AuditDocument) -> list[tuple[str, list[list]]]:
    """The workbook's sheets as (title, rows of values, header first); computed columns as plain values."""
    header = document.header
    weakest = document.weakest_conversion
    overview = [
        ["Field", "Value"],
        ["Title", header.title],
        ["Year", header.period_year],
        ["Workshop date", header.workshop_date],
        ["Language", header.language],
        ["Status", header.status],
        ["Flywheel", header.flywheel_name],
        ["Organization", header.organization_name],
        [],
        ["Teams"],
        *(["Team", team.name] for team in document.teams),
        [],
        ["Key numbers", "Computed from the audit; not read back on import."],
        ["Sources of friction", len(document.friction)],
        ["Still open", len(document.open_friction)],
        ["Forces", len(document.forces)],
        ["Metrics", len(document.metrics)],
        ["Action items", len(document.action_items)],
        *([["Weakest conversion", weakest.label], ["Its average conversion", weakest.average]] if weakest else []),
    ]
    strategy = [
        ["Stage", "Inbound principle", "Approach"],
        *([row.stage_label, row.principle, row.approach] for row in document.strategies),
    ]
    converted = {conversion.to_metric for conversion in document.conversions if conversion.comparable}
    conversion_of = {
        (conversion.to_metric, rate.period_start): rate.rate
        for conversion in document.conversions
        for rate in conversion.rates
    }
    metrics = [
        ["Stage", "Metric", "Kind", "Unit", "Period type", "Key activity", "Illustrative", "Higher is better"]
        + ["Period", "Gained", "Lost", "Net change", "Total", "Promoters", "Passives", "Detractors", "NPS"]
        + ["Promoters lost", "Value", "Conversion from previous stage"],
        *(
            [metric.stage_label, metric.name, metric.kind, metric.unit, metric.period, metric.activity]
            + ["Yes" if metric.illustrative else "No", "Yes" if metric.higher_is_better else "No"]
            + [reading.period_start, reading.gained, reading.lost]
            + [_computed(reading.net_change), reading.total, reading.promoters, reading.passives, reading.detractors]
            + [_computed(reading.nps), reading.promoters_lost, reading.value]
            + [_computed(conversion_of.get((metric.name, reading.period_start))) if metric.name in converted else None]
            for metric in document.metrics
            for reading in metric.readings
        ),
    ]
    votes = any(force.votes for force in document.forces)
    forces = [
        ["Team", "Force", "Before", "Now", "Serves", "Stage", "Last year's planned change", "Planned change", "Owner"]
        + (["Votes"] if votes else []),
        *(
            [force.team, force.name, force.before, force.now, force.serves_label, force.stage_label, force.target]
            + [force.planned_change, force.owner]
            + ([force.votes] if votes else [])
            for force in document.forces
        ),
    ]
    votes = any(row.votes for row in document.friction)
    friction = [
        ["#", "Source of friction", "Origin", "Stage", "Teams involved", "Automation", "New goal", "Restructure"]
        + ["Owner", "Due date", "Resolution"]
        + (["Votes"] if votes else []),
        *(
            [row.number, row.source, row.origin_label, row.stage_label, row.teams, row.automation, row.new_goal]
            + [row.restructure, row.owner, row.due_date, row.fix or "Open"]
            + ([row.votes] if votes else [])
            for row in document.friction
        ),
    ]
    assessment = [
        ["Question", "Answer", "Notes"],
        *([row.question_label, row.answer, row.notes] for row in document.self_assessment),
    ]
    reviews = [
        ["For (friction/force)", "What", "Fix", "Owner", "Due date", "Status", "Note"],
        *(
            [row.kind, row.what, row.fix, row.owner, row.due_date, row.status, row.note]
            for row in document.action_reviews
        ),
    ]
    actions = [
        ["Friction/force", "Fix", "Owner", "Due date"],
        *([item.what, item.fix, item.owner, item.due_date] for item in document.action_items),
    ]
    buckets = [metric for metric in document.metrics if metric.kind == "bucket"]
    by_period: dict = {}
    for column, metric in enumerate(buckets):
        for reading in metric.readings:
            by_period.setdefault((reading.period_start, reading.label), [None] * len(buckets))[column] = reading.total
    conversions = [conversion for conversion in document.conversions if conversion.rates]
    rates: dict = {}
    for column, conversion in enumerate(conversions):
        for rate in conversion.rates:
            rates.setdefault((rate.period_start, rate.label), [None] * len(conversions))[column] = rate.rate
    no_totals, no_rates = [None] * len(buckets), [None] * len(conversions)
    trends = [
        ["Period", *(metric.name for metric in buckets), "", "Period", *(c.label for c in conversions)],
        *(
            [key[0], *by_period.get(key, no_totals), None, key[0], *rates.get(key, no_rates)]
            for key in sorted(by_period.keys() | rates.keys())
        ),
    ]
    # The hidden sheet of the dropdowns' choices, and the names the conversion formulas refer to.
    choices = [
        [label for _value, label in Stage.choices],
        Metric.Kind.labels,
        Metric.Period.labels,
        ["Yes", "No"],
        FrictionPoint.Origin.labels,
        Force.Serves.labels,
        SelfAssessment.Answer.labels,
        [team.name for team in document.teams],
        ["Friction", "Force"],
        ActionReview.Status.labels,
        [conversion.from_metric for conversion in document.conversions],
    ]
    names = ["stage", "kind", "period_type", "yes_no", "origin", "serves", "answer", "team", "review_kind"]
    lists = [
        [*names, "review_status", "formula_names"],
        *(
            [str(labels[index]) if index < len(labels) else None for labels in choices]
            for index in range(max(len(labels) for labels in choices))
        ),
    ]
    return [
        ("Overview", overview),
        ("Strategy", strategy),
        ("Metrics", metrics),
        ("Forces", forces),
        ("Friction", friction),
        ("Self-assessment", assessment),
        ("Action review", reviews),
        ("Actions", actions),
        ("Trends", trends),
        ("Lists", lists),
    ]


# --- The bare writers ------------------------------------------------------------------------------


def bare_pptx(document: AuditDocument) -> bytes:
    deck = Presentation()
    blank = deck.slide_layouts[6]
    for header, rows in deck_tables(document):
        for start in range(0, len(rows), ROWS_PER_SLIDE):
            page = [header, *rows[start : start + ROWS_PER_SLIDE]]
            slide = deck.slides.add_slide(blank)
            shape = slide.shapes.add_table(len(page), len(header), Inches(0.5), Inches(0.5), Inches(9), Inches(6.5))
            table = shape.table
            for row_index, cells in enumerate(page):
                for column_index, text in enumerate(cells):
                    table.cell(row_index, column_index).text = text
    output = BytesIO()
    deck.save(output)
    return output.getvalue()


def bare_xlsx(document: AuditDocument) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in workbook_tables(document):
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append([None if value == "" else value for value in row])  # as the writer: no empty text
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def dumps_only(data: dict) -> bytes:
    """What the JSON writer does once the dict is built (exports/json.write)."""
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def bare(file_format: str, document: AuditDocument) -> Callable[[], bytes]:
    """The baseline call for a format; JSON's dict is built here, outside the timing."""
    if file_format == "json":
        return partial(dumps_only, as_data(document))
    return partial(bare_pptx if file_format == "pptx" else bare_xlsx, document)


def deck_cells(document: AuditDocument) -> tuple[int, int]:
    """(cells, slides) of the bare deck."""
    tables = deck_tables(document)
    cells = sum(len(header) * (len(rows) + -(-len(rows) // ROWS_PER_SLIDE)) for header, rows in tables)
    return cells, sum(-(-len(rows) // ROWS_PER_SLIDE) for _header, rows in tables)


def deck_contents(content: bytes) -> str:
    """What an exported deck holds, to set against the bare one."""
    slides = Presentation(BytesIO(content)).slides
    shapes = [shape for slide in slides for shape in slide.shapes]
    tables = sum(1 for shape in shapes if shape.has_table)
    charts = sum(1 for shape in shapes if shape.has_chart)
    return f"{len(slides)} slides, {tables} tables, {charts} charts"


def workbook_cells(document: AuditDocument) -> int:
    """The cells the bare workbook writes: empty ones are not written, by the writer or the bare one."""
    tables = workbook_tables(document)
    return sum(1 for _title, rows in tables for row in rows for value in row if value not in ("", None))


# --- Measuring -----------------------------------------------------------------------------------


def _ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.1f}"


def _describe(document: AuditDocument) -> str:
    readings = sum(len(metric.readings) for metric in document.metrics)
    return (
        f"{len(document.metrics)} metrics with {readings} readings, {len(document.teams)} teams, "
        f"{len(document.forces)} forces, {len(document.friction)} friction rows"
    )


def _validated(content: bytes, flywheel: Flywheel) -> AuditDocument:
    return to_document(read_file(content), flywheel)


def _load_and_export(audit: Audit, file_format: str) -> bytes:
    return export(load(audit), file_format)


def interleaved_ms(first: Callable[[], object], second: Callable[[], object]) -> tuple[float, float, float]:
    """Medians of `first`, of `second`, and of first − second, the two timed in turns after a warm-up each."""
    for _ in range(WARM_UP):
        first()
        second()
    pairs = []
    for _ in range(RUNS):
        times = []
        for action in (first, second):
            gc.collect()
            start = time.perf_counter()
            action()
            times.append((time.perf_counter() - start) * 1000)
        pairs.append(times)
    return (
        statistics.median(a for a, _b in pairs),
        statistics.median(b for _a, b in pairs),
        statistics.median(a - b for a, b in pairs),
    )


def _fetch(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")


def run(client: Client, flywheel: Flywheel, small: Audit, large: Audit, table: Callable[[Table], str]) -> None:
    """Build the medium audit, measure, and print the export, import and export view tables."""
    started = time.perf_counter()
    medium = build_large_audit(flywheel, **MEDIUM, title="Medium sample audit")
    audits = {"small": small, "medium": medium, "large": large}
    documents = {size: load(audit) for size, audit in audits.items()}

    # Writers, against their bare baselines.
    export_rows: Table = [
        [
            "format",
            "small ms",
            "medium ms",
            "large ms",
            "large/small",
            "large/medium",
            "bare small ms",
            "bare large ms",
            "ratio to bare (large)",
        ]
    ]
    over_target, superlinear = [], []
    for file_format in FORMATS:
        ms = {size: median_ms(partial(export, documents[size], file_format)) for size in SIZES}
        bare_ms = {size: median_ms(bare(file_format, documents[size])) for size in ("small", "large")}
        to_bare = ms["large"] / bare_ms["large"]
        if file_format != "json" and to_bare > BARE_TARGET:
            over_target.append(f"{file_format} {to_bare:.1f}×")
        if ms["large"] / ms["medium"] > LINEAR_LIMIT:
            superlinear.append(f"{file_format} ({ms['large'] / ms['medium']:.1f})")
        export_rows.append(
            [
                file_format,
                f"{ms['small']:.1f}",
                f"{ms['medium']:.1f}",
                f"{ms['large']:.1f}",
                _ratio(ms["large"], ms["small"]),
                _ratio(ms["large"], ms["medium"]),
                f"{bare_ms['small']:.1f}",
                f"{bare_ms['large']:.1f}",
                _ratio(ms["large"], bare_ms["large"]),
            ]
        )

    # Imports: parse, validate, save.
    import_rows: Table = [["import", "small ms", "medium ms", "large ms", "large/small", "large/medium"]]

    def import_row(name: str, action: Callable[[str], Callable[[], object]]) -> None:
        ms = {size: median_ms(action(size)) for size in SIZES}
        if ms["large"] / ms["medium"] > LINEAR_LIMIT:
            superlinear.append(f"{name} ({ms['large'] / ms['medium']:.1f})")
        import_rows.append(
            [
                name,
                *(f"{ms[size]:.1f}" for size in SIZES),
                _ratio(ms["large"], ms["small"]),
                _ratio(ms["large"], ms["medium"]),
            ]
        )

    validated: dict[str, AuditDocument] = {}
    for file_format in ("xlsx", "json"):
        content = {size: export(documents[size], file_format) for size in SIZES}
        # Fails loudly (ImportFailed) if an export does not import back; the JSON one is saved below.
        validated = {size: _validated(content[size], flywheel) for size in SIZES}
        import_row(f"{file_format}: read_file", lambda size, content=content: partial(read_file, content[size]))
        import_row(
            f"{file_format}: read_file + to_document",
            lambda size, content=content: partial(_validated, content[size], flywheel),
        )
    # The validated JSON backups; each call saves one more audit into the throwaway database.
    import_row("save (document.save)", lambda size: partial(save, validated[size], flywheel))

    # The export view, end to end, on the large audit, taken in turns with the same work done in-process
    # (load + writer) so that both see the same machine: the difference is the HTTP path's own cost.
    view_rows: Table = [["export view, large audit", "view ms", "load + writer ms", "view − (load + writer) ms"]]
    for file_format in FORMATS:
        url = reverse("audits:audit-export", kwargs={"audit_id": large.pk, "file_format": file_format})
        view, direct = partial(_fetch, client, url), partial(_load_and_export, large, file_format)
        view_ms, direct_ms, differences = interleaved_ms(view, direct)
        view_rows.append([file_format, f"{view_ms:.1f}", f"{direct_ms:.1f}", f"{differences:.1f}"])
    elapsed = time.perf_counter() - started

    deck = {size: deck_cells(documents[size]) for size in ("small", "large")}
    exported_deck = {size: deck_contents(export(documents[size], "pptx")) for size in ("small", "large")}
    sheet_cells = {size: workbook_cells(documents[size]) for size in ("small", "large")}
    print()
    print()
    print("Flywheel Audit — export and import benchmark")
    print(
        f"Median of {RUNS} runs after {WARM_UP} warm-up, each writer from an already-loaded AuditDocument; "
        f"{elapsed:.1f} s measuring."
    )
    print(f"Medium audit: {_describe(documents['medium'])} (half the large one's rows; the same 5 teams).")
    print(
        f"Bare pptx: plain python-pptx tables of the same cell texts, ≤{ROWS_PER_SLIDE} rows a slide, no styling or "
        f"charts ({deck['small'][0]} cells on {deck['small'][1]} slides small, "
        f"{deck['large'][0]} on {deck['large'][1]} large); the deck itself: {exported_deck['small']} small, "
        f"{exported_deck['large']} large."
    )
    print(
        f"Bare xlsx: plain openpyxl sheets, the same cell values by ws.append, no styling, formulas or charts "
        f"({sheet_cells['small']} cells small, {sheet_cells['large']} large). Bare json: json.dumps of as_data only."
    )
    print()
    print(table(export_rows))
    print()
    print(
        "Rows grow ~50× from small to large (6 → 300 friction, 3 → 150 forces) and 2× from medium to large: "
        f"large/medium ≤ {LINEAR_LIMIT} is linear growth, with no quadratic step."
    )
    if superlinear:
        print(f"Grows faster than the rows (large/medium > {LINEAR_LIMIT}): {', '.join(superlinear)}.")
    else:
        print(f"Every writer and import step grows linearly: large/medium ≤ {LINEAR_LIMIT}.")
    if over_target:
        print(f"Over the issue's {BARE_TARGET:.0f}× of the bare library cost (large): {', '.join(over_target)}.")
    else:
        print(f"pptx and xlsx are within {BARE_TARGET:.0f}× of the bare library cost (large).")
    print()
    print(table(import_rows))
    print()
    print(table(view_rows))
    print()
    print(
        "The last column is what the HTTP path (middleware, session, auth, response) adds to load + writer: "
        "the median of paired runs; a few ms either way is run-to-run noise."
    )
