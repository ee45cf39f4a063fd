import pprint
import pytest
from audits.demo import load_demo
from audits.document import load
from audits.models import Audit
from audits import comparison

pytestmark = pytest.mark.django_db


def test_explore():
    first = load_demo()
    second = Audit.objects.get(carried_from=first)
    a = load(Audit.objects.select_related("flywheel__organization").get(pk=first.pk))
    b = load(Audit.objects.select_related("flywheel__organization").get(pk=second.pk))
    c = comparison.compare(a, b)
    with open("/tmp/scratch/cmp.txt", "w") as f:
        pprint.pprint(comparison.as_data(c), stream=f, width=150)
        pprint.pprint(b.action_reviews, stream=f, width=150)
        pprint.pprint([(x.name, x.target, x.now) for x in b.forces], stream=f, width=150)


def test_explore2():
    first = load_demo()
    second = Audit.objects.get(carried_from=first)
    a = load(Audit.objects.select_related("flywheel__organization").get(pk=first.pk))
    b = load(Audit.objects.select_related("flywheel__organization").get(pk=second.pk))
    c = comparison.compare(a, b)
    with open("/tmp/scratch/cmp2.txt", "w") as f:
        for g in ("resolved", "still_open", "new", "reopened", "dropped"):
            for ch in getattr(c.friction, g):
                print(g, ch.matched_by, "|", ch.source, "|", ch.before_row and ch.before_row.fix, "|", ch.after_row and ch.after_row.fix, file=f)
        for t in c.teams:
            print("TEAM", t.name, t.in_before, t.in_after, len(t.changed), len(t.new), len(t.dropped), len(t.unchanged), file=f)
            for ch in t.changed:
                print("  changed", ch.name, ch.changed_fields, "| target:", ch.target, file=f)
        print(c.fix_mix, file=f)


def test_explore3():
    from audits.models import Force
    first = load_demo()
    second = Audit.objects.get(carried_from=first)
    print("FIRST planned", list(Force.objects.filter(audit=first).exclude(planned_change="").values_list("name", "planned_change")))
    print("SECOND target", list(Force.objects.filter(audit=second).values_list("name", "target", "carried_from_id"))[:5])
    print("N audits", Audit.objects.count())
