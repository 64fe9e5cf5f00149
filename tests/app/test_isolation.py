"""Two participants on one server: neither sees the other's text, models, jobs or runs."""

import time
from pathlib import Path

import torch
from streamlit.testing.v1 import AppTest

from genlab.text.checkpoint import load_shipped
from tests.support import app as helpers

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Ana guarda um segredo: o abacaxi roxo mora no quintal. " * 60


def session(script: str, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_own_data_is_cached_per_session_and_shipped_data_once_for_all():
    helpers.BUILDS.clear()
    for _ in range(2):
        at = session("tests/app/scripts/cache_page.py", text="segredo", shared="0")
        at.run()  # a rerun of the same session uses its cache
        assert at.markdown[0].value == "segredo"
    assert helpers.BUILDS == ["segredo", "segredo"]  # one per session, never shared
    helpers.BUILDS.clear()
    for _ in range(2):
        session("tests/app/scripts/cache_page.py", text="shakespeare", shared="1")
    assert helpers.BUILDS == ["shakespeare"]


def texts(at: AppTest) -> str:
    """Everything a page shows as text."""
    kinds = ("markdown", "caption", "code", "text", "info", "error", "success", "warning")
    return "\n".join(str(el.value) for kind in kinds for el in at.get(kind))


def test_a_participants_text_model_job_and_run_stay_theirs():
    ana = session("rooms/text_train.py", lang="en")
    ana.radio(key="text_corpus").set_value("own").run()
    ana.text_area(key="text_pasted").set_value(SECRET).run()
    ana.radio(key="text_model").set_value("count-bigram").run()
    ana.button(key="text_play").click().run()
    deadline = time.time() + 60
    while not ana.session_state["text_models"] and time.time() < deadline:
        time.sleep(0.3)
        ana.run()
    assert ana.session_state["text_models"], "Ana's model never arrived"
    job_id = ana.session_state["jobs"]["text"]
    assert "Your recent runs (1)" in [e.label for e in ana.expander]

    bruno = session("rooms/text_train.py", lang="en", job_text=job_id)  # even with the run's id
    assert helpers.session_job(bruno, "text") is None
    assert "Your recent runs (0)" in [e.label for e in bruno.expander]
    assert bruno.session_state["owner"] != ana.session_state["owner"]
    assert not bruno.session_state["text_models"]
    bruno.radio(key="text_corpus").set_value("own").run()
    assert "abacaxi" not in texts(bruno)

    (model_name,) = ana.session_state["text_models"]
    bruno_next = session("rooms/text_next.py", lang="en")
    models = bruno_next.selectbox(key="next_model").options
    assert models and not any(model_name in m for m in models)


def test_using_a_shipped_model_never_changes_the_copy_all_participants_share():
    lm = load_shipped("portuguese-word-gpt")  # the object every session is given
    before = {k: v.clone() for k, v in lm.model.state_dict().items()}
    at = session("rooms/text_next.py", lang="en")
    at.select_slider(key="next_temperature").set_value(1.7).run()
    at.button(key="next_generate").click().run()
    assert not at.exception
    assert not lm.model.training
    for name, value in lm.model.state_dict().items():
        assert torch.equal(value, before[name]), name
