"""What the facilitator says at each step of the workshop: the three exercises as data."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Text = str | Promise


@dataclass(frozen=True)
class Step:
    key: str
    exercise_number: int | None  # None for the wrap-up, which belongs to no exercise
    exercise_title: Text
    title: Text
    short_title: Text  # for the step navigator
    intro: Text  # what to do, in one to three sentences
    questions: tuple[Text, ...]  # to ask the room
    example_intro: Text  # one sentence before HubSpot's example


MEASURE = _("Measure the flywheel")
DELIGHT = _("Maximize delight")
FRICTION = _("Reduce friction")

STEPS: tuple[Step, ...] = (
    Step(
        key="strategy",
        exercise_number=1,
        exercise_title=MEASURE,
        title=_("Map your go-to-market strategy"),
        short_title=_("Strategy"),
        intro=_(
            "For each stage of the wheel, write down the one activity or program you invest in most to keep "
            "your promise there. Don't try to fit in everything: pick what matters most."
        ),
        questions=(
            _("What do we spend the most time and money on to attract the right people?"),
            _("What makes it easy for people to buy from us: how do we engage them?"),
            _("What do we do after the sale so that customers succeed and recommend us?"),
            _("Which principle guides what we do at each stage?"),
            _(
                "Does one wheel describe the whole business, or do several flywheels spin in parallel, one per "
                "product line, market or segment? Which one are we auditing today?"
            ),
        ),
        example_intro=_("HubSpot paired each stage with an inbound principle and one main program."),
    ),
    Step(
        key="metrics",
        exercise_number=1,
        exercise_title=MEASURE,
        title=_("Choose the metrics that show success"),
        short_title=_("Metrics"),
        intro=_(
            "Give each stage's activity the single number that best tells whether it works. For every bucket, "
            "record what came in, what leaked out and what is left each period, and watch the conversion "
            "from one stage to the next: that is where friction shows."
        ),
        questions=(
            _("Which one number tells us whether each stage's investment pays off?"),
            _("How many entered each bucket this period, how many left, and how many are in it now?"),
            _("What share of one stage moves on to the next, and where is the biggest drop?"),
            _("Can we measure this monthly, or only yearly?"),
            _(
                "If we measure delight with Net Promoter Score: how many promoters (answering 9–10), passives "
                "(7–8) and detractors (0–6)? NPS is the percentage of promoters minus the percentage of "
                "detractors, from −100 to +100."
            ),
            _("How many promoters slipped back to passive or detractor?"),
        ),
        example_intro=_(
            "HubSpot followed one path around its wheel: website visitors, free users, product-qualified "
            "leads, paying customers and promoters."
        ),
    ),
    Step(
        key="forces",
        exercise_number=2,
        exercise_title=DELIGHT,
        title=_("Map the forces and redraw them for delight"),
        short_title=_("Forces"),
        intro=_(
            "Team by team, list the programs and activities that move customers around the wheel, and how "
            "each looked before and looks now. Then decide what to change next year so that more of your "
            "effort goes into delighting customers."
        ),
        questions=(
            _("Which activities push customers from one stage to the next, in each team?"),
            _("Was this force designed to serve our process, or the customer's needs?"),
            _("Is any force working against another, such as sales against customer success?"),
            _("Now that the wheel spins, would some of our Attract and Engage effort do more in Delight?"),
            _("What will we change about this force next year, and who owns the change?"),
        ),
        example_intro=_("At the start of 2018 each HubSpot team wrote down how its forces had changed."),
    ),
    Step(
        key="identify",
        exercise_number=3,
        exercise_title=FRICTION,
        title=_("Identify the friction"),
        short_title=_("Identify"),
        intro=_(
            "Find where the business is slow, for customers and for yourselves. Look hard at the friction "
            "your own org chart creates: silos, hand-offs and work split across too many teams."
        ),
        questions=(
            _("External: what do customers and prospects complain about? Where does dealing with us go wrong?"),
            _("Internal: which metrics do we keep failing to move, however hard we try?"),
            _("Internal: which processes take longer than they should?"),
            _("Internal: where do our most common problems come from?"),
            _("Which hand-offs between our teams does the customer feel?"),
        ),
        example_intro=_(
            "HubSpot's list mixed complaints from customers with problems it saw in its own numbers and structure."
        ),
    ),
    Step(
        key="automate",
        exercise_number=3,
        exercise_title=FRICTION,
        title=_("Can automation fix it?"),
        short_title=_("Automate"),
        intro=_(
            "Take each friction point in turn and ask whether technology could remove it. If it can, write "
            "the fix; if not, write “No” and carry the row on to the next step."
        ),
        questions=(
            _("Is this something customers want to do themselves, but that is complicated for a person to do?"),
            _("Is it a repetitive, mechanical task that takes time the team could spend on more valuable work?"),
            _("Does this part of our go-to-market rely on people alone, where automation could support them?"),
        ),
        example_intro=_(
            "Two of HubSpot's friction points were settled here, by letting customers try, buy and learn on their own."
        ),
    ),
    Step(
        key="goals",
        exercise_number=3,
        exercise_title=FRICTION,
        title=_("Realign goals to bridge teams"),
        short_title=_("Goals"),
        intro=_(
            "For the rows automation could not settle, look for teams that their goals pull in opposite "
            "directions. A shared goal, or an agreement that commits both sides, can make them pull together."
        ),
        questions=(
            _("Which teams does this friction sit between, and what is each of them measured on?"),
            _("Do their goals clash, like marketing judged on lead volume while sales needs leads that fit?"),
            _("What shared goal would point both teams the same way?"),
            _(
                "Would a service-level agreement settle it: what one team promises to deliver, and what the "
                "other promises to do with it?"
            ),
        ),
        example_intro=_(
            "HubSpot gave its product team an NPS goal and bound marketing to sales with a service-level agreement."
        ),
    ),
    Step(
        key="restructure",
        exercise_number=3,
        exercise_title=FRICTION,
        title=_("Restructure teams"),
        short_title=_("Restructure"),
        intro=_(
            "What neither automation nor new goals could fix may need a change to the org chart. Answer the "
            "three self-assessment questions, then write down the reorganization each remaining row needs."
        ),
        questions=(
            _("Do people who do the same job sit in different departments?"),
            _("Are our teams too specialized?"),
            _("If we have a systemic blind spot, is a team assigned to it?"),
            _("Which change would let a customer reach the right person the first time?"),
        ),
        example_intro=_(
            "HubSpot merged teams that did the same job and created a team where nobody owned the customer."
        ),
    ),
    Step(
        key="summary",
        exercise_number=None,
        exercise_title=_("Wrap-up"),
        title=_("Review and share the audit"),
        short_title=_("Summary"),
        intro=_(
            "Look at the whole flywheel at once: metrics, forces and friction fixes. Agree who owns each "
            "change, present the result, and plan when you will audit again."
        ),
        questions=(
            _("Which changes will give the wheel the most momentum next year?"),
            _("Who owns each change to a force and each friction fix, and by when?"),
            _("Who needs to see this audit, and how will we present it?"),
            _("When will we repeat the audit to see what moved?"),
        ),
        example_intro=_("HubSpot shared its finished flywheel as a worked example for everyone's homework."),
    ),
)

_BY_KEY = {step.key: step for step in STEPS}
_INDEX = {step.key: index for index, step in enumerate(STEPS)}


def step(key: str) -> Step:
    """Return the step with this key; KeyError if there is none."""
    return _BY_KEY[key]


def next_step(key: str) -> Step | None:
    """Return the step after this one, or None after the last."""
    index = _INDEX[key] + 1
    return STEPS[index] if index < len(STEPS) else None


def previous_step(key: str) -> Step | None:
    """Return the step before this one, or None before the first."""
    index = _INDEX[key] - 1
    return STEPS[index] if index >= 0 else None
