"""Lesson files: every shipped lesson is valid and bilingual; a broken file is refused with a
message naming the problem; checks are data, evaluated without eval."""

import pytest

from genlab.classroom import lessons
from genlab.errors import UserError
from genlab.i18n import translate

GOOD_STEP = """
[[steps]]
id = "one"
room = "{room}"
title = {{ en = "T", pt-BR = "T" }}
text = {{ en = "X", pt-BR = "X" }}
task = {{ en = "Do", pt-BR = "Faça" }}
{extra}
"""
TITLE = 'title = { en = "L", pt-BR = "L" }\n'


def lesson_text(room="next", extra=""):
    return TITLE + GOOD_STEP.format(room=room, extra=extra)


@pytest.mark.parametrize("lesson_id", sorted(lessons.shipped()))
def test_every_shipped_lesson_is_valid_and_bilingual(lesson_id):
    lesson = lessons.get(lesson_id)
    assert lesson.title["en"] != lesson.title["pt-BR"]
    assert len(lesson.steps) >= 4
    for step in lesson.steps:
        assert step.title["en"] and step.title["pt-BR"] and step.title["en"] != step.title["pt-BR"]
        assert step.task["en"] != step.task["pt-BR"]
        assert step.check, f"{lesson_id}/{step.id} has no automatic check"
        if step.question is not None and step.question.kind == "choice":
            assert len(step.question.labels("en")) == len(step.question.labels("pt-BR")) >= 2


def test_lesson_one_follows_the_lecture():
    lesson = lessons.get("1_next_word")
    assert [s.id for s in lesson.steps] == [
        "counts", "softmax", "multinomial", "temperature", "topk", "glaucogpt", "compare",
    ]  # fmt: skip
    temperature = lesson.steps[3]
    assert temperature.query()["next_temperature"] == "1.8"
    assert not temperature.passed({"next": {"temperature": 1.8, "generated": 5}})
    assert temperature.passed({"next": {"temperature": 1.8, "generated": 20}})
    assert not temperature.passed({"next": {"temperature": 0.7, "generated": 80}})


def test_a_step_naming_a_room_that_does_not_exist_is_refused_with_a_clear_message():
    with pytest.raises(UserError) as err:
        lessons.parse("broken", lesson_text(room="kitchen"))
    assert err.value.key == "class.err_lesson_room"
    message = translate("en", err.value.key, **err.value.params)
    assert "kitchen" in message and "steps[1]" in message


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ("settings = { d_lr = 0.1 }", "class.err_lesson_setting"),  # a GAN setting on /next
        (
            'check = [{ room = "next", name = "generated", op = "**", value = 1 }]',
            "class.err_lesson_field",
        ),
        ('check = [{ room = "moon", name = "x", op = "==", value = 1 }]', "class.err_lesson_room"),
        (
            'question = { kind = "choice", prompt = { en = "Q", pt-BR = "P" } }',
            "class.err_lesson_field",
        ),
        (
            'question = { kind = "essay", prompt = { en = "Q", pt-BR = "P" } }',
            "class.err_lesson_field",
        ),
    ],
)
def test_broken_steps_are_refused(extra, key):
    with pytest.raises(UserError) as err:
        lessons.parse("broken", lesson_text(extra=extra))
    assert err.value.key == key


def test_a_text_missing_its_portuguese_and_bad_toml_are_refused():
    with pytest.raises(UserError) as err:
        lessons.parse(
            "x", 'title = { en = "Only English" }\n' + GOOD_STEP.format(room="gan", extra="")
        )
    assert err.value.params == {"where": "title"}
    with pytest.raises(UserError) as err:
        lessons.parse("x", "title = [")
    assert err.value.key == "class.err_lesson_toml"


@pytest.mark.parametrize(
    ("op", "value", "have", "holds"),
    [
        ("<", 0.2, 0.1, True),
        ("<", 0.2, 0.3, False),
        (">=", 20, 20, True),
        ("==", True, True, True),
        ("==", "gaussians8", "ring", False),
        (">", 1.5, "hot", False),  # a text compared with a number: not met, no crash
        (">", 1.5, None, False),  # nothing reported yet
    ],
)
def test_conditions_are_evaluated_from_a_fixed_table(op, value, have, holds):
    condition = lessons.Condition("next", "temperature", op, value)
    assert condition.holds({"next": {"temperature": have}}) is holds


def test_the_check_and_settings_of_a_gan_step():
    text = lesson_text(
        room="gan",
        extra='settings = { gan_dataset = "gaussians8", gan_d_lr = 5.0 }\n'
        'check = [{ room = "gan", name = "js", op = "<", value = 0.2 }]',
    )
    step = lessons.parse("gan", text).steps[0]
    assert step.query() == {"gan_dataset": "gaussians8", "gan_d_lr": "5.0"}
    assert step.passed({"gan": {"js": 0.15}}) and not step.passed({"gan": {"js": 0.5}, "next": {}})
