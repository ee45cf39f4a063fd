"""Retention and lead-routing ideas the workshop can suggest when a team writes forces or fixes."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from audits.models import Stage

Text = str | Promise

ALL_STAGES = "all"

# Fix types match the friction table's columns (FrictionPoint.automation, .new_goal, .restructure).
AUTOMATION = "automation"
NEW_GOAL = "new_goal"
RESTRUCTURE = "restructure"
FIX_TYPE_LABELS = {AUTOMATION: _("automation"), NEW_GOAL: _("new goal"), RESTRUCTURE: _("restructure")}

RETENTION_AUTOMATION = "retention automation"
RETENTION_PRACTICES = "retention practices"
LEAD_ROUTING = "lead routing"

ATTRACT, ENGAGE, DELIGHT = Stage.ATTRACT.value, Stage.ENGAGE.value, Stage.DELIGHT.value


@dataclass(frozen=True)
class Idea:
    key: str
    title: Text
    description: Text  # one sentence
    stage: str  # a Stage value, or ALL_STAGES
    fix_type: str | None  # AUTOMATION, NEW_GOAL, RESTRUCTURE, or None when it is not one fix
    source: str  # RETENTION_AUTOMATION, RETENTION_PRACTICES or LEAD_ROUTING

    @property
    def fix_type_label(self) -> Text:
        return FIX_TYPE_LABELS.get(self.fix_type, "")


# The nine pillars of an e-commerce retention-automation model.
_PILLARS = (
    Idea(
        "know-your-customers",
        _("Know your customers"),
        _(
            "Use purchase history and traffic sources to find your ideal customers and key segments, and follow "
            "their average order value, lifetime value and time between purchases."
        ),
        ATTRACT,
        AUTOMATION,
        RETENTION_AUTOMATION,
    ),
    Idea(
        "connect",
        _("Connect"),
        _("Keep gathering opt-in subscribers and greet every new subscriber and customer with an automated series."),
        ENGAGE,
        AUTOMATION,
        RETENTION_AUTOMATION,
    ),
    Idea(
        "thank",
        _("Say thank you"),
        _("Send an automatic thank-you series after each purchase, with a computed discount to bring people back."),
        DELIGHT,
        AUTOMATION,
        RETENTION_AUTOMATION,
    ),
    Idea(
        "reward-best-customers",
        _("Reward your best customers"),
        _("Rank customers by recency, frequency and money spent (RFM) and reward the top ones automatically."),
        DELIGHT,
        AUTOMATION,
        RETENTION_AUTOMATION,
    ),
    Idea(
        "make-buying-easy",
        _("Make buying easier"),
        _("Recommend products, remind customers to replenish and suggest cross-sells from what they just bought."),
        ENGAGE,
        AUTOMATION,
        RETENTION_AUTOMATION,
    ),
    Idea(
        "win-back",
        _("Win back churning customers"),
        _("Spot frequent buyers who stopped buying and trigger win-back messages from their history and habits."),
        DELIGHT,
        AUTOMATION,
        RETENTION_AUTOMATION,
    ),
    Idea(
        "create-evangelists",
        _("Create evangelists"),
        _(
            "Find the customers who speak up for you, even if they buy little, and invite them to review, "
            "answer surveys and refer friends."
        ),
        DELIGHT,
        NEW_GOAL,
        RETENTION_AUTOMATION,
    ),
    Idea(
        "listen",
        _("Listen"),
        _("Learn from surveys, research and data, and let what customers do trigger the next interaction."),
        DELIGHT,
        AUTOMATION,
        RETENTION_AUTOMATION,
    ),
    Idea(
        "acquire-retainable-customers",
        _("Acquire customers who stay"),
        _("Find the channels, products and offers that bring in customers with a high lifetime value."),
        ATTRACT,
        NEW_GOAL,
        RETENTION_AUTOMATION,
    ),
)

# Fourteen customer-retention practices. The source gives no fix type; ours is set only where one
# is evident (automation tools, a goal to track) and is None otherwise.
_PRACTICES = (
    Idea(
        "onboarding",
        _("Onboarding"),
        _(
            "Make the first steps fast and simple with guides, interactive video and personalized sequences, "
            "and measure how satisfied new customers are."
        ),
        ENGAGE,
        AUTOMATION,
        RETENTION_PRACTICES,
    ),
    Idea(
        "valuable-content",
        _("Valuable content"),
        _("Send messages that show the value customers got and teach them something, instead of empty drips."),
        DELIGHT,
        AUTOMATION,
        RETENTION_PRACTICES,
    ),
    Idea(
        "premium-customer-service",
        _("Premium customer service"),
        _("Support customers on every channel, around the clock, with live chat and an up-to-date knowledge base."),
        DELIGHT,
        AUTOMATION,
        RETENTION_PRACTICES,
    ),
    Idea(
        "build-relationships",
        _("Build relationships"),
        _("Keep in personal contact, remember your customers and follow up."),
        DELIGHT,
        None,
        RETENTION_PRACTICES,
    ),
    Idea(
        "act-on-feedback",
        _("Listen and act on feedback"),
        _("Survey customers, track NPS and close the loop by telling them what changed."),
        DELIGHT,
        NEW_GOAL,
        RETENTION_PRACTICES,
    ),
    Idea(
        "fix-common-problems",
        _("Find common problems and fix them"),
        _("Analyse support tickets and the reasons customers leave, and remove the causes."),
        DELIGHT,
        None,
        RETENTION_PRACTICES,
    ),
    Idea(
        "personalize",
        _("Personalize the experience"),
        _("Use what you know about each customer to tailor what they see, which also eases upsell and cross-sell."),
        ENGAGE,
        AUTOMATION,
        RETENTION_PRACTICES,
    ),
    Idea(
        "share-roadmap",
        _("Share the product roadmap"),
        _("Publish the themes you are working on, and keep features and dates for the internal roadmap."),
        DELIGHT,
        None,
        RETENTION_PRACTICES,
    ),
    Idea(
        "annual-billing",
        _("Move customers to annual billing"),
        _("Fewer renewal decisions a year mean fewer chances to churn."),
        ENGAGE,
        None,
        RETENTION_PRACTICES,
    ),
    Idea(
        "expansion-revenue",
        _("Expansion revenue"),
        _("Grow revenue from existing customers through upsell and cross-sell."),
        DELIGHT,
        None,
        RETENTION_PRACTICES,
    ),
    Idea(
        "dunning",
        _("Dunning management"),
        _("Retry failed payments automatically and remind customers before renewals and card expiry."),
        DELIGHT,
        AUTOMATION,
        RETENTION_PRACTICES,
    ),
    Idea(
        "loyalty-programs",
        _("Loyalty programs"),
        _("Reward loyal customers with points, referral rewards or member perks, and recognize your promoters."),
        DELIGHT,
        None,
        RETENTION_PRACTICES,
    ),
    Idea(
        "raise-prices-carefully",
        _("Raise prices carefully"),
        _("Grandfather existing customers or give them options, because sudden large increases drive churn."),
        ENGAGE,
        None,
        RETENTION_PRACTICES,
    ),
    Idea(
        "customer-centric-culture",
        _("Customer-centric culture"),
        _("Commit the whole company to putting customer value first."),
        ALL_STAGES,
        None,
        RETENTION_PRACTICES,
    ),
)

# What a product-led scheduling company changed in its lead routing, and what made it work.
_ROUTING = (
    Idea(
        "sales-by-buying-behaviour",
        _("Organize sales around buying behaviour"),
        _(
            "Split sales into a support-assist team for small prospects, a velocity team for mid-sized deals "
            "closed within the month, and an enterprise team for the largest deals."
        ),
        ENGAGE,
        RESTRUCTURE,
        LEAD_ROUTING,
    ),
    Idea(
        "website-by-intent",
        _("Design the website for intent"),
        _("Give each page the call to action its visitors most often want: sign up, talk to someone, or see a demo."),
        ATTRACT,
        AUTOMATION,
        LEAD_ROUTING,
    ),
    Idea(
        "warm-leads",
        _("Warm the leads sent to sales"),
        _(
            "Combine internal and external signals, such as many users at one company, and target that account "
            "before sales calls."
        ),
        ENGAGE,
        AUTOMATION,
        LEAD_ROUTING,
    ),
    Idea(
        "automated-routing",
        _("Route leads automatically"),
        _(
            "Enrich a short contact form with company data and send each lead at once to a new account "
            "executive, its existing one, or the support-assist team, so nobody hits a dead end."
        ),
        ENGAGE,
        AUTOMATION,
        LEAD_ROUTING,
    ),
    Idea(
        "disqualify-kindly",
        _("Disqualify without a bad experience"),
        _("Give prospects who do not qualify a demo tailored to their role and a path to help."),
        ENGAGE,
        None,
        LEAD_ROUTING,
    ),
    Idea(
        "routing-owner",
        _("One owner for routing and scoring"),
        _("Make one person or team responsible for how leads are scored and routed."),
        ENGAGE,
        RESTRUCTURE,
        LEAD_ROUTING,
    ),
    Idea(
        "iterate-weekly",
        _("Iterate on routing every week"),
        _("Review routing results weekly and adjust the rules quickly."),
        ENGAGE,
        None,
        LEAD_ROUTING,
    ),
    Idea(
        "sales-marketing-collaboration",
        _("Close sales–marketing collaboration"),
        _(
            "Have sales and marketing refine routing together, as when small-starting universities were sent "
            "to the velocity team instead of enterprise."
        ),
        ENGAGE,
        NEW_GOAL,
        LEAD_ROUTING,
    ),
)

IDEAS: tuple[Idea, ...] = _PILLARS + _PRACTICES + _ROUTING

_BY_KEY = {idea.key: idea for idea in IDEAS}


def ideas_for(stage: str | None) -> list[Idea]:
    """Return the ideas for a stage plus those for every stage; all ideas when no stage is given."""
    if not stage:
        return list(IDEAS)
    return [idea for idea in IDEAS if idea.stage in (stage, ALL_STAGES)]


def idea(key: str) -> Idea:
    """Return the idea with this key; KeyError if there is none."""
    return _BY_KEY[key]
