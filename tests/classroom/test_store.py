"""Classes on disk: join codes, joining, answers, rate limits, the instructor code, the pace,
deletion while participants are in, exports."""

import csv
import io
import json

import pytest

from genlab import runs
from genlab.classroom import lessons, store
from genlab.errors import UserError


@pytest.fixture(autouse=True)
def _fresh(tmp_path, monkeypatch):
    monkeypatch.setenv("GENLAB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GENLAB_INSTRUCTOR_CODE", raising=False)
    for limiter in (
        store.JOIN_PER_KEY,
        store.JOIN_PER_CLASS,
        store.ANSWER_PER_KEY,
        store.ANSWER_PER_CLASS,
    ):
        monkeypatch.setattr(limiter, "_events", {})


def key() -> str:
    return runs.new_owner()


def question(step_id: str):
    return next(s for s in lessons.get("1_next_word").steps if s.id == step_id).question


def test_join_codes_are_short_and_unambiguous():
    codes = {store.create("1_next_word").code for _ in range(30)}
    assert len(codes) == 30
    for code in codes:
        assert len(code) == 5 and not set(code) & set("0O1IL2Z5S8B")


def test_a_participant_joins_by_code_with_a_nickname_typed_in_any_case():
    classroom = store.create("1_next_word")
    me = key()
    member = store.join(
        f" {classroom.code.lower()[:2]}-{classroom.code.lower()[2:]} ", me, "  Ana  "
    )
    assert member.nickname == "Ana"
    found, again = store.membership(me)
    assert found.code == classroom.code and again.nickname == "Ana"
    assert me not in json.dumps([json.loads(p.read_text()) for p in classroom.dir.rglob("*.json")])
    assert store.membership(key()) is None


def test_a_wrong_code_is_refused_with_a_message():
    store.create("1_next_word")
    with pytest.raises(UserError) as err:
        store.join("QQQQQ", key(), "Ana")
    assert err.value.key == "class.err_code"


def test_nicknames_are_kept_as_typed_and_limited():
    classroom = store.create("1_next_word")
    html = "<b>Bo</b><script>x</script> **x**"
    assert store.join(classroom.code, key(), html).nickname == html
    with pytest.raises(UserError) as err:
        store.join(classroom.code, key(), "x" * 10_000)
    assert err.value.key == "class.err_nickname_long"
    with pytest.raises(UserError):
        store.join(classroom.code, key(), "   ")


def test_joining_is_rate_limited_per_participant():
    classroom = store.create("1_next_word")
    me = key()
    for _ in range(store.JOIN_PER_KEY.count):
        store.join(classroom.code, me, "Ana")
    with pytest.raises(UserError) as err:
        store.join(classroom.code, me, "Ana")
    assert err.value.key == "class.err_slow_down"
    store.join(classroom.code, key(), "Bia")  # another participant still joins


def test_guessing_codes_is_rate_limited_too():
    me = key()
    for _ in range(store.JOIN_PER_KEY.count):
        with pytest.raises(UserError, match="No class"):
            store.join("AAAAA", me, "Ana")
    with pytest.raises(UserError) as err:
        store.join(store.create("1_next_word").code, me, "Ana")
    assert err.value.key == "class.err_slow_down"


def test_answers_are_checked_aggregated_and_rate_limited():
    classroom = store.create("1_next_word")
    people = [
        (k, store.join(classroom.code, k, f"p{i}")) for i, k in enumerate(key() for _ in range(3))
    ]
    for (k, m), choice in zip(people, (0, 0, 2), strict=True):
        store.answer(m, k, "counts", question("counts"), choice)
    k, m = people[0]
    store.answer(m, k, "softmax", question("softmax"), "100,0")
    with pytest.raises(UserError) as err:
        store.answer(m, k, "counts", question("counts"), 7)
    assert err.value.key == "class.err_answer_choice"
    with pytest.raises(UserError) as err:
        store.answer(m, k, "softmax", question("softmax"), "a lot")
    assert err.value.key == "class.err_answer_number"
    counts = store.aggregate(question("counts"), classroom.answers("counts"), "pt-BR")
    assert [n for _, n in counts] == [2, 0, 1]
    assert counts[0][0].startswith("Contar")
    assert store.aggregate(question("softmax"), classroom.answers("softmax"), "en") == [("100", 1)]
    for _ in range(store.ANSWER_PER_KEY.count):
        try:
            store.answer(m, k, "topk", question("topk"), "fewer odd letters")
        except UserError as slow:
            assert slow.key == "class.err_slow_down"
            break
    else:
        pytest.fail("answering was never limited")


def test_bring_everyone_to_a_step_is_in_the_class_file_for_every_replica():
    classroom = store.create("2_gan_ring")
    classroom.bring_to(3)
    again = store.load(classroom.code)
    assert (again.pace, again.pace_version) == (3, 1)


def test_a_class_deleted_while_participants_are_in_it():
    classroom = store.create("1_next_word")
    me = key()
    member = store.join(classroom.code, me, "Ana")
    classroom.delete()
    assert store.membership(me) is None
    with pytest.raises(UserError) as err:
        member.save(step=2)
    assert err.value.key == "class.err_gone"
    assert not classroom.dir.exists()  # a late write does not bring the class back


def test_the_instructor_code_is_generated_once_and_shared(monkeypatch):
    first = store.instructor_code()
    assert len(first) >= 8 and store.instructor_code() == first
    assert (
        store.is_instructor(first)
        and not store.is_instructor("nope")
        and not store.is_instructor("")
    )
    monkeypatch.setenv("GENLAB_INSTRUCTOR_CODE", "lecture-2026")
    assert store.is_instructor("lecture-2026") and not store.is_instructor(first)


def test_exports_hold_every_participant_without_keys_and_formulas_are_defused():
    classroom = store.create("1_next_word")
    me = key()
    member = store.join(classroom.code, me, "=HYPERLINK(1)")
    member.save(
        progress={"next": {"last_text": "To be or", "temperature": 1.8}, "gan": {"js": 0.1}}
    )
    store.answer(member, me, "counts", question("counts"), 1)
    table = list(csv.DictReader(io.StringIO(store.export_csv(classroom))))
    assert table[0]["nickname"] == "'=HYPERLINK(1)" and table[0]["answer_counts"] == "1"
    data = json.loads(store.export_json(classroom))
    assert data["participants"][0]["last_text"] == "To be or"
    assert data["participants"][0]["temperature"] == 1.8
    assert me not in store.export_csv(classroom) + store.export_json(classroom)
