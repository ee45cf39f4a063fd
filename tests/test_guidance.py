import pytest

from audits.content import guidance

KEYS = ["strategy", "metrics", "forces", "identify", "automate", "goals", "restructure", "summary"]


def test_it_lists_the_steps_in_workshop_order():
    assert [step.key for step in guidance.STEPS] == KEYS


def test_it_numbers_the_exercises():
    assert [step.exercise_number for step in guidance.STEPS] == [1, 1, 2, 3, 3, 3, 3, None]


def test_every_step_has_texts_and_questions():
    for step in guidance.STEPS:
        assert step.exercise_title and step.title and step.short_title
        assert step.intro and step.example_intro
        assert step.questions
        assert all(str(question) for question in step.questions)


def test_it_finds_a_step_by_key():
    assert guidance.step("goals").short_title == "Goals"


def test_it_rejects_an_unknown_key():
    with pytest.raises(KeyError):
        guidance.step("nope")


def test_it_navigates_forward_and_back():
    assert guidance.next_step("strategy").key == "metrics"
    assert guidance.previous_step("metrics").key == "strategy"
    assert guidance.next_step("restructure").key == "summary"


def test_it_stops_at_both_ends():
    assert guidance.previous_step("strategy") is None
    assert guidance.next_step("summary") is None


def test_the_steps_carry_the_exercises_prompts():
    def text(key):
        step = guidance.step(key)
        return " ".join(str(part) for part in (step.intro, *step.questions))

    assert "several flywheels" in text("strategy")
    assert "9–10" in text("metrics") and "7–8" in text("metrics") and "0–6" in text("metrics")
    assert "serve our process, or the customer's needs" in text("forces")
    assert "External:" in text("identify") and "Internal:" in text("identify")
    assert "repetitive" in text("automate")
    assert "service-level agreement" in text("goals")
    assert "same job" in text("restructure") and "too specialized" in text("restructure")
    assert "blind spot" in text("restructure")
