import pytest

from audits.content import ideas
from audits.content.ideas import IDEAS, idea, ideas_for

STAGES = {"attract", "engage", "delight", "all"}
FIX_TYPES = {"automation", "new_goal", "restructure", None}


def by_source(source):
    return [item for item in IDEAS if item.source == source]


def test_it_has_the_nine_retention_automation_pillars():
    assert len(by_source(ideas.RETENTION_AUTOMATION)) == 9


def test_it_has_the_fourteen_retention_practices():
    assert len(by_source(ideas.RETENTION_PRACTICES)) == 14


def test_it_has_the_lead_routing_changes_and_conditions():
    assert [item.key for item in by_source(ideas.LEAD_ROUTING)] == [
        "sales-by-buying-behaviour",
        "website-by-intent",
        "warm-leads",
        "automated-routing",
        "disqualify-kindly",
        "routing-owner",
        "iterate-weekly",
        "sales-marketing-collaboration",
    ]


def test_every_idea_is_complete_and_valid():
    assert len({item.key for item in IDEAS}) == len(IDEAS)
    for item in IDEAS:
        assert item.title and item.description
        assert item.stage in STAGES
        assert item.fix_type in FIX_TYPES


def test_ideas_for_a_stage_include_the_ones_for_every_stage():
    engage = ideas_for("engage")
    assert {item.stage for item in engage} == {"engage", "all"}
    assert idea("customer-centric-culture") in engage
    assert idea("thank") not in engage


def test_ideas_for_no_stage_are_all_ideas():
    assert ideas_for(None) == list(IDEAS)
    assert ideas_for("") == list(IDEAS)


def test_every_idea_is_suggested_for_some_stage():
    suggested = {item.key for stage in ("attract", "engage", "delight") for item in ideas_for(stage)}
    assert suggested == {item.key for item in IDEAS}


def test_it_finds_an_idea_by_key():
    assert idea("dunning").fix_type == "automation"


def test_it_rejects_an_unknown_key():
    with pytest.raises(KeyError):
        idea("nope")
