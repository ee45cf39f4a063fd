"""HubSpot's worked example of the flywheel homework (INBOUND 2018), as plain data.

The strategies, metrics, forces, friction rows and self-assessment are HubSpot's; the monthly
figures from `illustrative_readings` are invented, plausible numbers so the demo has something
to chart. They are not HubSpot's data.
"""

import math
from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from audits.models import Force, FrictionPoint, Metric, SelfAssessment, Stage

# User-facing text is lazy, so it is translated when it is shown (or copied into an audit).
Text = str | Promise

NO = _("No")

ATTRACT, ENGAGE, DELIGHT = Stage.ATTRACT, Stage.ENGAGE, Stage.DELIGHT
PROCESS, CUSTOMER, BOTH = Force.Serves.PROCESS, Force.Serves.CUSTOMER, Force.Serves.BOTH
EXTERNAL, INTERNAL = FrictionPoint.Origin.EXTERNAL, FrictionPoint.Origin.INTERNAL


# --- Exercise 1, part 1: the go-to-market strategy --------------------------------------------


@dataclass(frozen=True)
class StrategyExample:
    stage: str
    principle: Text
    approach: Text

    @property
    def stage_label(self) -> Text:
        return Stage(self.stage).label


STRATEGIES: tuple[StrategyExample, ...] = (
    StrategyExample(
        ATTRACT,
        _("Give value before extracting value"),
        _("Free educational content: blogs, webinars, campaigns, social media and HubSpot Academy."),
    ),
    StrategyExample(
        ENGAGE,
        _("Make buying and selling easy"),
        _("Freemium software: try it for free, then upgrade seamlessly."),
    ),
    StrategyExample(
        DELIGHT,
        _("Your customers' success is your success"),
        _(
            "Guided or self-service education: paying customers get an implementation and strategy team, "
            "free users get friendly support, and everyone gets user guides and a knowledge base."
        ),
    ),
)


# --- Exercise 1, part 2: the metrics ------------------------------------------------------------


@dataclass(frozen=True)
class MetricExample:
    key: str  # stable identifier, e.g. for `illustrative_readings`; never shown
    stage: str
    name: Text
    kind: str
    unit: Text
    period: str
    activity: Text

    @property
    def stage_label(self) -> Text:
        return Stage(self.stage).label

    @property
    def kind_label(self) -> Text:
        return Metric.Kind(self.kind).label

    @property
    def period_label(self) -> Text:
        return Metric.Period(self.period).label


# The path around the wheel, in order: each bucket feeds the next one.
# HubSpot surveys NPS quarterly; the example records promoters monthly (a rolling monthly cut of
# the survey answers) so that all five metrics have the same twelve periods side by side.
METRICS: tuple[MetricExample, ...] = (
    MetricExample(
        "website_visitors",
        ATTRACT,
        _("Website visitors"),
        Metric.Kind.BUCKET,
        _("visitors"),
        Metric.Period.MONTH,
        _("Free educational content brings people to the website every month."),
    ),
    MetricExample(
        "free_users",
        ENGAGE,
        _("Free users"),
        Metric.Kind.BUCKET,
        _("users"),
        Metric.Period.MONTH,
        _("Freemium software: free users join the flywheel each month, and some churn."),
    ),
    MetricExample(
        "pqls",
        ENGAGE,
        _("Product-qualified leads (PQLs)"),
        Metric.Kind.BUCKET,
        _("leads"),
        Metric.Period.MONTH,
        _("Upgrade points in the product turn free users into product-qualified leads."),
    ),
    MetricExample(
        "paying_customers",
        ENGAGE,
        _("Paying customers"),
        Metric.Kind.BUCKET,
        _("customers"),
        Metric.Period.MONTH,
        _("PQLs upgrade to paid plans; every customer who churns is lost momentum."),
    ),
    MetricExample(
        "promoters",
        DELIGHT,
        _("Promoters (Net Promoter Score)"),
        Metric.Kind.NPS,
        _("respondents"),
        Metric.Period.MONTH,
        _("The NPS survey counts promoters and how many slip to passive or detractor."),
    ),
)


# Monthly shape of the illustrative figures: each bucket's opening total, new entries in the first
# month, monthly growth of new entries, how strongly they follow the season, and the share of the
# previous total that leaves each month. Chosen so that conversions between consecutive buckets
# land around 2% (visitors to free users), 15% (free users to PQLs) and 28% (PQLs to customers).
_BUCKETS = {
    # key: (opening total, first gained, monthly growth, seasonal amplitude, monthly loss rate)
    "website_visitors": (11_000_000, 2_400_000, 0.020, 0.08, 0.22),
    "free_users": (900_000, 45_000, 0.025, 0.06, 0.040),
    "pqls": (9_500, 7_000, 0.025, 0.05, 0.75),
    "paying_customers": (41_500, 2_000, 0.020, 0.04, 0.016),
}
_NPS_RESPONDENTS = 3_000  # first month; grows with the customer base
_PROMOTERS_LOST_RATE = 0.06  # share of last month's promoters who slip to passive or detractor


def _season(month_index: int, amplitude: float) -> float:
    """Return a multiplier around 1: a spring peak and a late-summer dip, as in B2B traffic."""
    return 1 + amplitude * math.cos(2 * math.pi * (month_index - 2) / 12)


def _bucket_readings(year: int, key: str) -> list[dict]:
    opening_total, first_gained, growth, amplitude, loss_rate = _BUCKETS[key]
    readings, previous_total = [], opening_total
    for index in range(12):
        gained = round(first_gained * (1 + growth) ** index * _season(index, amplitude))
        lost = round(previous_total * loss_rate)
        total = previous_total + gained - lost
        readings.append({"period_start": date(year, index + 1, 1), "gained": gained, "lost": lost, "total": total})
        previous_total = total
    return readings


def _nps_readings(year: int) -> list[dict]:
    readings, previous_promoters = [], None
    for index in range(12):
        respondents = round(_NPS_RESPONDENTS * 1.025**index)
        # Promoters creep up and detractors down over the year: NPS rises from about 37 to 44.
        promoter_share = 0.52 + 0.004 * index + 0.01 * math.sin(2 * math.pi * index / 12)
        detractor_share = 0.15 - 0.003 * index
        promoters = round(respondents * promoter_share)
        detractors = round(respondents * detractor_share)
        passives = respondents - promoters - detractors
        base = previous_promoters if previous_promoters is not None else promoters
        readings.append(
            {
                "period_start": date(year, index + 1, 1),
                "promoters": promoters,
                "passives": passives,
                "detractors": detractors,
                "promoters_lost": round(base * _PROMOTERS_LOST_RATE),
            }
        )
        previous_promoters = promoters
    return readings


def illustrative_readings(year: int) -> dict[str, list[dict]]:
    """Return twelve months of invented figures per metric key, as Reading field values.

    Deterministic: the same year always gives the same figures. Bucket readings have gained,
    lost and total (each total is the previous total plus gained minus lost); the NPS reading has
    promoters, passives, detractors and promoters lost.
    """
    readings = {key: _bucket_readings(year, key) for key in _BUCKETS}
    readings["promoters"] = _nps_readings(year)
    return readings


# --- Exercise 2: the forces, one table per team -----------------------------------------------


@dataclass(frozen=True)
class TeamExample:
    key: str
    name: Text


@dataclass(frozen=True)
class ForceExample:
    team: str  # a TeamExample key
    name: Text
    before: Text
    now: Text
    stage: str
    serves: str  # what the force, as it is now, was designed to serve


TEAMS: tuple[TeamExample, ...] = (
    TeamExample("marketing", _("Marketing")),
    TeamExample("sales", _("Sales")),
    TeamExample("service", _("Service")),
)

FORCES: tuple[ForceExample, ...] = (
    # Marketing
    ForceExample(
        "marketing",
        _("Marketing team goals"),
        _("Acquisition only"),
        _("Split between acquisition and retention, through a new customer-marketing team"),
        DELIGHT,
        BOTH,
    ),
    ForceExample(
        "marketing",
        _("Customer communication"),
        _("Several siloed teams could email customers"),
        _("One central team owns the customer-communication strategy, so it is strategic and methodical"),
        DELIGHT,
        CUSTOMER,
    ),
    ForceExample(
        "marketing",
        _("Review-site strategy"),
        _("None"),
        _("A dedicated effort to get HubSpot reviewed on third-party software review sites"),
        ATTRACT,
        BOTH,
    ),
    ForceExample(
        "marketing",
        _("Conversion paths"),
        _("Prospects filled in a lead form"),
        _("Prospects can chat, book a meeting, call, or fill in a form"),
        ENGAGE,
        CUSTOMER,
    ),
    ForceExample(
        "marketing",
        _("Live chat"),
        _("Only while the team was online"),
        _("Chatbots answer questions 24/7"),
        ENGAGE,
        CUSTOMER,
    ),
    ForceExample(
        "marketing",
        _("Language"),
        _("Most marketing content only in English"),
        _("Teams translate and market in several languages"),
        ATTRACT,
        CUSTOMER,
    ),
    # Sales
    ForceExample(
        "sales",
        _("Self-purchase"),
        _("Not possible"),
        _("Possible"),
        ENGAGE,
        CUSTOMER,
    ),
    ForceExample(
        "sales",
        _("Compensation"),
        _("Commission on new revenue only"),
        _("Commission is clawed back if the customer churns"),
        ENGAGE,
        BOTH,
    ),
    ForceExample(
        "sales",
        _("Lead rotation"),
        _("Leads that did not buy were not rotated"),
        _("Every lead is rotated, even when no good demo fit was found"),
        ENGAGE,
        PROCESS,
    ),
    ForceExample(
        "sales",
        _("Customer expansion"),
        _("No formal program to learn existing customers' other software needs"),
        _("A team dedicated to helping customers grow"),
        DELIGHT,
        BOTH,
    ),
    # Service
    ForceExample(
        "service",
        _("Knowledge base"),
        _("A public, searchable knowledge base"),
        _("More investment in its user experience"),
        DELIGHT,
        CUSTOMER,
    ),
    ForceExample(
        "service",
        _("Support ticketing"),
        _("Phone, email and tickets"),
        _("Chat-based and in-product support added"),
        DELIGHT,
        CUSTOMER,
    ),
    ForceExample(
        "service",
        _("Customer feedback loops"),
        _("A quarterly NPS survey"),
        _(
            "A voice-of-the-customer team; NPS feedback goes in real time to the right product managers, "
            "sales reps and service teams; the product team has an NPS goal"
        ),
        DELIGHT,
        CUSTOMER,
    ),
    ForceExample(
        "service",
        _("Self-service education"),
        _("HubSpot Academy: certifications and user guides"),
        _("Certifications, user guides, lessons and skill classes, so customers learn their own way"),
        DELIGHT,
        CUSTOMER,
    ),
    ForceExample(
        "service",
        _("Farming existing accounts"),
        _("Service owned upsell and cross-sell"),
        _("Service hands expansion conversations to sales and focuses on serving customers"),
        DELIGHT,
        CUSTOMER,
    ),
    ForceExample(
        "service",
        _("HubSpot community"),
        _("Customers got answers only from HubSpot support"),
        _("Customers answer each other's questions in the community"),
        DELIGHT,
        CUSTOMER,
    ),
    ForceExample(
        "service",
        _("Localized support"),
        _("English only"),
        _("Several languages"),
        DELIGHT,
        CUSTOMER,
    ),
)


def forces_of(team_key: str) -> tuple[ForceExample, ...]:
    """Return the forces of one team, in table order."""
    return tuple(force for force in FORCES if force.team == team_key)


# --- Exercise 3: friction ---------------------------------------------------------------------


@dataclass(frozen=True)
class FrictionExample:
    source: Text
    # Each step's answer: empty (not reached), "No", or the fix that settled the row.
    automation: Text
    new_goal: Text
    restructure: Text
    origin: str
    stage: str
    teams: tuple[Text, ...]


FRICTION: tuple[FrictionExample, ...] = (
    FrictionExample(
        _("Prospects want to try HubSpot before buying, without going through a sales rep"),
        _("Free products, and a self-purchase path so customers need not talk to sales"),
        "",
        "",
        EXTERNAL,
        ENGAGE,
        (_("Sales"),),
    ),
    FrictionExample(
        _("Support requests from prospects are mostly “how do I use it”, not bug reports"),
        _("Invest in the knowledge base and HubSpot Academy so customers learn their own way"),
        "",
        "",
        EXTERNAL,
        DELIGHT,
        (_("Service"),),
    ),
    FrictionExample(
        _("Falling NPS correlates with more cancelled contracts"),
        NO,
        _("An NPS goal for the product team, so products are built for delight and retention"),
        "",
        INTERNAL,
        DELIGHT,
        (_("Product"), _("Service")),
    ),
    FrictionExample(
        _("More leads does not mean better leads"),
        NO,
        _("A marketing–sales service-level agreement that commits marketing to a revenue (or good-fit) target"),
        "",
        INTERNAL,
        ATTRACT,
        (_("Marketing"), _("Sales")),
    ),
    FrictionExample(
        _("The chat support team gets sales questions and the chat sales team gets support questions"),
        NO,
        NO,
        _("Merged the two teams so customers reach the right person faster"),
        EXTERNAL,
        ENGAGE,
        (_("Sales"), _("Service")),
    ),
    FrictionExample(
        _("Customer-marketing activity is decentralized with no clear owner"),
        NO,
        NO,
        _(
            "January 2018: a core customer-marketing team to run customer communication, give the best "
            "experience, and find expansion opportunities"
        ),
        INTERNAL,
        DELIGHT,
        (_("Marketing"),),
    ),
    FrictionExample(
        _("Customers who buy several products must talk to different teams"),
        NO,
        NO,
        _("A problem in 2016: sales teams were unified and every customer now has one main point of contact"),
        EXTERNAL,
        DELIGHT,
        (_("Sales"),),
    ),
)

# Found at step 1 but not carried through the table in HubSpot's write-up.
OTHER_FRICTION_SOURCES: tuple[FrictionExample, ...] = (
    FrictionExample(
        _("The vague value of marketing-qualified leads led to inconsistent sales follow-up"),
        "",
        "",
        "",
        INTERNAL,
        ENGAGE,
        (_("Marketing"), _("Sales")),
    ),
    FrictionExample(
        _("Decentralized customer communication meant customers got too many emails"),
        "",
        "",
        "",
        EXTERNAL,
        DELIGHT,
        (_("Marketing"), _("Service")),
    ),
)


# --- Exercise 3, step 4: the restructuring self-assessment ------------------------------------


@dataclass(frozen=True)
class SelfAssessmentExample:
    answer: str  # SelfAssessment.Answer
    notes: Text

    @property
    def answer_label(self) -> Text:
        return SelfAssessment.Answer(self.answer).label


SELF_ASSESSMENT: dict[str, SelfAssessmentExample] = {
    SelfAssessment.Question.SAME_JOB: SelfAssessmentExample(
        SelfAssessment.Answer.YES,
        _(
            "Chat support and chat sales were two teams doing the same job, answering each other's "
            "questions; they were merged."
        ),
    ),
    SelfAssessment.Question.TOO_SPECIALIZED: SelfAssessmentExample(
        SelfAssessment.Answer.YES,
        _(
            "Sales teams split by product meant a customer with several products talked to several teams; "
            "sales was unified so each customer has one main point of contact."
        ),
    ),
    SelfAssessment.Question.BLIND_SPOT: SelfAssessmentExample(
        SelfAssessment.Answer.YES,
        _(
            "Existing customers were the blind spot: nobody owned communication with them. Since "
            "January 2018 a customer-marketing team does."
        ),
    ),
}
