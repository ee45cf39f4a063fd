"""Template helpers of the live workshop: a row's dots and its vote buttons."""

from django import template

from ..live import vote_key

register = template.Library()


@register.inclusion_tag("audits/live/vote.html", takes_context=True)
def vote_control(context, kind: str, row) -> dict:
    """The +/− buttons and the user's dots on a row, while voting is open."""
    return {
        "audit": context["audit"],
        "kind": kind,
        "row_id": row.id,
        "label": row.name if kind == "force" else row.source,
        "dots": context["my_votes"].get(vote_key(kind, row.id), 0),
        "votes_left": context["votes_left"],
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def voters(context, kind: str, row) -> str:
    """Who put dots on the row (named voting), or "" when votes are anonymous."""
    return ", ".join(context.get("voters", {}).get(vote_key(kind, row.id), []))
