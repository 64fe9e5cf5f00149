"""AppTest: the GAN page in both languages: preview, live training, steps, slow motion, settings
in the URL, bad links, divergence, a trained model."""

import json
import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from genlab import feed, jobs
from genlab.gan import datasets, metrics
from genlab.gan import jobs as gan_jobs
from genlab.gan.training import Trainer
from genlab.i18n import translate
from tests.support.app import session_job, shown
from ui.gan import REPLAY_S

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "rooms" / "gan.py")


def learning_rates(at) -> dict[str, float]:
    """The learning rate fields (ui.widgets.decimal_input: text in the page's language, English
    here), by label."""
    return {n.label: float(n.value) for n in at.text_input if "_lr" in n.key}


def open_page(lang="en", **query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["lang"] = lang
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def drawn(chart) -> dict:
    """A live chart's figure as its script draws it: a trace with a ``uid`` takes the array of
    that name from the frame the page sent (genlab.feed), or else from the newest frame of its
    feed (this process is the server)."""
    args = json.loads(chart.json_args)
    figure = json.loads(args["figure"])
    frames = [arg.bytes for arg in chart.special_args if arg.key == "frame"]
    if not frames and args.get("feed"):
        status, body, _ = feed.fetch(args["feed"].rsplit("/", 1)[1], -1)
        frames = [body] if status == 200 else []
    for frame in frames:
        arrays = feed.decode(frame)[1]
        for trace in figure["data"]:
            values = arrays.get(trace.get("uid"))
            if values is None:
                continue
            if trace["type"] == "heatmap":
                trace["z"] = values.tolist()
            else:
                trace["x"], trace["y"] = values[:, 0].tolist(), values[:, 1].tolist()
    return figure


def figures(at) -> list[dict]:
    """The figures the page sends: its live charts (ui.charts.live: the layered view first), then
    any other chart."""
    live = [
        drawn(element.proto)
        for element in at.get("component_instance")
        if element.proto.component_name.endswith("genlab_live_chart")
    ]
    return live + [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def trace(at, name: str) -> dict:
    plane = figures(at)[0]
    return next(t for t in plane["data"] if t["name"] == name)


def epoch(at) -> int:
    return int(at.metric[0].value.replace(",", ""))


def tick_until(at, predicate, timeout: float = 60) -> AppTest:
    deadline = time.time() + timeout
    while time.time() < deadline:
        at.run()  # one tick of the live fragment
        assert not at.exception, at.exception
        if predicate(at):
            return at
        time.sleep(0.1)
    raise AssertionError("the page never showed what was expected")


def stop_all(at) -> None:
    job = session_job(at, "gan")
    if job is not None:
        job.stop(wait=True)


@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_before_training_the_page_shows_the_ring_the_fakes_and_the_model(lang):
    at = open_page(lang)
    assert at.title[0].value == translate(lang, "gan.title")
    plane, curves, diagram = figures(at)
    names = [t["name"] for t in plane["data"]]
    assert names == [
        translate(lang, f"gan.layer_{k}") for k in ("heat", "manifold", "real", "fake", "arrows")
    ]
    real = trace(at, translate(lang, "gan.layer_real"))
    radius = [(x * x + y * y) ** 0.5 for x, y in zip(real["x"], real["y"], strict=True)]
    assert 0.6 < sorted(radius)[len(radius) // 2] < 0.8  # the real data is the ring
    boxes = " ".join(a["text"] for a in diagram["layout"]["annotations"])
    assert translate(lang, "gan.box_real") in boxes
    floor = metrics.js_floor(datasets.make("ring", None), gan_jobs.METRIC_SAMPLES)
    assert [s["y0"] for s in curves["layout"]["shapes"]][:2] == [floor, 0.5]
    notes = [a["text"] for a in curves["layout"]["annotations"]]
    assert translate(lang, "gan.js_floor", floor=floor) in notes  # "the same" reads ~0.018 here
    assert epoch(at) == 0


def test_play_trains_live_and_a_new_learning_rate_reaches_the_running_job():
    at = open_page()
    try:
        fake_before = trace(at, "Fake points")["x"]
        at.button(key="gan_play").click().run()
        tick_until(at, lambda a: epoch(a) > 50)
        assert trace(at, "Fake points")["x"] != fake_before
        job = session_job(at, "gan")
        at.text_input(key="gan_d_lr_text").set_value("0.02").run()
        tick_until(at, lambda a: job.snapshot["config"]["d_lr"] == 0.02)
        assert at.session_state["jobs"]["gan"] == job.id  # a live change, not a restart
        assert at.query_params["gan_d_lr"] in ("0.02", ["0.02"])
        _, curves, diagram = figures(at)
        js = next(t for t in curves["data"] if t["name"] == "JS divergence")
        assert js["y"] and all(0 <= v <= 1 for v in js["y"] if v is not None)
        boxes = [a["text"] for a in diagram["layout"]["annotations"]]
        loss = next(b for b in boxes if b.startswith(translate("en", "gan.box_loss")[:6]))
        assert re.search(r"D \d\.\d{3}", loss), loss  # a chart shows text as typed: no "1\.384"

        at.slider(key="gan_g_neurons").set_value(8).run()  # architecture: start over
        assert at.session_state["jobs"]["gan"] != job.id
        assert any(translate("en", "gan.restarted") in i.value for i in at.info)
    finally:
        stop_all(at)


def test_steps_and_slow_motion_on_a_paused_job():
    """A step by hand shows in the page's run after the click (it waits for the worker's answer),
    not one live tick later."""
    assert jobs.warm(wait=120)  # as the lab's server does when it starts
    at = open_page()
    try:
        at.button(key="gan_step_epoch").click().run()
        assert epoch(at) == 1
        job = session_job(at, "gan")
        assert job.status == "paused"
        at.button(key="gan_step_d").click().run()
        assert job.snapshot["d_updates"] == 2
        assert job.snapshot["g_updates"] == 1

        at.toggle(key="gan_slow").set_value(True).run()
        for number, stage in enumerate(("sample", "classify", "loss"), start=1):
            time.sleep(REPLAY_S)  # a click within REPLAY_S of the previous one counts as a replay
            at.button(key="gan_substep").click().run()
            assert job.snapshot["stage"][1] == stage
            explanation = at.info[-1].value
            assert translate("en", "gan.stage_of", n=number, total=10) in explanation
        assert "**Loss.**" in explanation
    finally:
        stop_all(at)


def test_a_link_restores_the_settings():
    at = open_page(dataset="gaussians8", loss="hinge", d_lr="0.01", g_layers="3")
    assert at.selectbox(key="gan_dataset").value == "gaussians8"
    assert at.selectbox(key="gan_loss").value == "hinge"
    assert at.text_input(key="gan_d_lr_text").value == "0.0100"
    assert at.slider(key="gan_g_layers").value == 3
    share = at.code[-1].value
    assert "dataset=gaussians8" in share and "loss=hinge" in share
    assert "me=" not in share and "job_" not in share  # the participant's key stays private
    at.query_params["gan_d_lr"] = "0.003"  # a lesson's deep link, later in the same session
    at.run()
    rates = learning_rates(at)
    assert rates[translate("en", "gan.d_lr")] == 0.003
    loss = next(s for s in at.selectbox if s.label == translate("en", "gan.loss"))
    assert loss.value == "hinge"


def test_a_broken_link_explains_itself_and_the_page_still_works():
    at = open_page("pt-BR", g_layers="99")
    assert translate("pt-BR", "gan.err_range", field="g_layers", value=99, lo=0, hi=5) in [
        shown(e.value) for e in at.error
    ]
    assert at.slider(key="gan_g_layers").value == 2  # the defaults instead
    assert len(figures(at)) == 3


def test_user_data_without_a_drawing_or_csv_asks_for_one():
    at = open_page(dataset="csv")
    at.button(key="gan_play").click().run()
    assert translate("en", "gan.need_user_data") in [w.value for w in at.warning]
    assert "gan" not in at.session_state["jobs"]


def test_a_learning_rate_of_10_is_caught_and_can_be_lowered():
    at = open_page()
    try:
        at.selectbox(key="gan_dataset").set_value("gaussians8").run()
        at.text_input(key="gan_d_lr_text").set_value("10").run()
        at.text_input(key="gan_g_lr_text").set_value("10").run()
        at.button(key="gan_play").click().run()
        tick_until(at, lambda a: translate("en", "gan.diverged") in [e.value for e in a.error])
        at.button(key="gan_lower_lr").click().run()
        rates = learning_rates(at)
        assert rates[translate("en", "gan.d_lr")] == rates[translate("en", "gan.g_lr")] == 1.0
        assert session_job(at, "gan").status == "running"
    finally:
        stop_all(at)


def test_start_from_a_trained_model_shows_its_fakes_on_the_ring():
    at = open_page()

    def median_radius():
        fake = trace(at, "Fake points")
        radius = sorted((x * x + y * y) ** 0.5 for x, y in zip(fake["x"], fake["y"], strict=True))
        return radius[len(radius) // 2]

    assert median_radius() < 0.4  # an untrained generator makes a small blob
    at.button(key="gan_trained").click().run()
    assert translate("en", "gan.trained_loaded") in [s.value for s in at.success]
    assert abs(median_radius() - 0.7) < 0.1
    shipped = Trainer.load(ROOT / "assets" / "gan" / "ring.safetensors")
    assert epoch(at) == shipped.epoch
    # its state and where it stands, not "Not started", "–" and empty curves
    status = next(m.value for m in at.metric if m.label == translate("en", "gan.status"))
    assert status == translate("en", "gan.loaded_state", epoch=shipped.epoch)
    assert float(at.metric[2].value) < 0.2  # its JS
    js = next(c for c in figures(at)[1]["data"] if c["name"] == "JS divergence")
    assert js["x"] == [shipped.epoch] and js["y"][0] < 0.2


def test_epochs_per_second_read_zero_while_paused():
    at = open_page()
    try:
        at.button(key="gan_play").click().run()
        running = lambda a: epoch(a) > 50 and float(a.metric[1].value.replace(",", "")) > 0  # noqa: E731
        tick_until(at, running, timeout=120)
        at.button(key="gan_pause").click().run()
        tick_until(at, lambda a: session_job(a, "gan").status == "paused")
        assert at.metric[1].value == "0"
    finally:
        stop_all(at)


def test_switching_to_wgan_gp_applies_settings_that_work_for_it():
    at = open_page()
    at.selectbox(key="gan_loss").set_value("wgan_gp").run()
    rates = learning_rates(at)
    optimizer = next(s for s in at.selectbox if s.label == translate("en", "gan.optimizer"))
    assert optimizer.value == "adam"
    assert (
        rates[translate("en", "gan.d_lr")] <= 0.001 and rates[translate("en", "gan.g_lr")] <= 0.001
    )
    assert any("WGAN-GP" in shown(i.value) for i in at.info)  # says what it changed, and why
