"""ui.state: what a participant set in a room is still there after a visit to another room."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def test_the_next_word_controls_survive_a_visit_to_another_room():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("rooms/text_next.py").run()
    at.select_slider(key="next_temperature").set_value(2.0).run()
    at.select_slider(key="next_top_p").set_value(0.5).run()
    at.switch_page("rooms/home.py").run()
    at.switch_page("rooms/text_next.py").run()
    assert not at.exception, at.exception
    assert at.select_slider(key="next_temperature").value == 2.0  # was reset to 1.0
    assert at.select_slider(key="next_top_p").value == 0.5
    assert not [w.value for w in at.warning if "Session State" in w.value]


def test_the_gan_settings_survive_a_visit_to_another_room():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("rooms/gan.py").run()
    at.text_input(key="gan_d_lr_text").set_value("0.05").run()
    at.switch_page("rooms/home.py").run()
    at.switch_page("rooms/gan.py").run()
    assert not at.exception, at.exception
    assert at.text_input(key="gan_d_lr_text").value == "0.0500"  # came back as 1e-06, the minimum
