"""ui.charts.plot: the figure dict reaches the browser as it is (no plotly re-validation), with
the language's number marks."""

import json

import plotly.io
import plotly.tools
from streamlit.testing.v1 import AppTest

from genlab import feed
from ui.charts import _Checked

FIGURE = {
    "data": [{"type": "bar", "x": [0.442, 0.3], "y": ["a", "b"], "orientation": "h"}],
    "layout": {"xaxis": {"tickformat": ".0%"}, "uirevision": "keep"},
}


def test_plotly_takes_a_checked_figure_as_it_is():
    """The two plotly calls st.plotly_chart makes: no copy, no validation, same JSON."""
    checked = _Checked(FIGURE)
    assert plotly.tools.return_figure_from_figure_or_data(checked, True) is FIGURE
    assert json.loads(plotly.io.to_json(checked, validate=False)) == FIGURE


def spec(lang: str) -> dict:
    at = AppTest.from_function(draw_bars, default_timeout=30)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def draw_bars():
    from ui.charts import plot

    plot({"data": [{"type": "bar", "x": [0.442], "y": ["a"]}], "layout": {"title": "t"}})


def test_the_page_gets_the_figure_with_the_language_s_separators():
    en, pt = spec("en"), spec("pt-BR")
    assert en["data"][0]["x"] == [0.442]
    assert en["layout"]["title"] == "t"  # as given: plotly would have made it {"text": "t"}
    assert en["layout"]["separators"] == ".,"
    assert pt["layout"]["separators"] == ",."


def draw_fed():
    import numpy as np

    from genlab import feed
    from ui.charts import live

    figure = {
        "data": [
            {"type": "heatmap", "uid": "heat", "x": [0, 1], "y": [0, 1], "z": [[0, 1], [1, 0]]},
            {"type": "scatter", "uid": "fake", "x": [0.5], "y": [0.25]},
            {"type": "scatter", "x": [1], "y": [2]},
        ],
        "layout": {"height": 300},
    }
    frame = feed.encode(3, 90, {"fake": ("xy", np.zeros((1, 2)))})
    live(figure, key="plane", frame=frame, feed="TOKEN")


def test_a_fed_chart_gets_its_points_from_the_frame_and_its_feed():
    """The figure goes without the data the frame gives (the traces with a uid), the frame as
    bytes, and the feed's path."""
    at = AppTest.from_function(draw_fed, default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    chart = at.get("component_instance")[0].proto
    args = json.loads(chart.json_args)
    heat, fake, plain = json.loads(args["figure"])["data"]
    assert "z" not in heat and heat["x"] == [0, 1] and heat["uid"] == "heat"
    assert "x" not in fake and "y" not in fake and fake["uid"] == "fake"
    assert plain["x"] == [1]
    assert args["feed"] == "/genlab/feed/TOKEN"
    (special,) = chart.special_args
    assert special.key == "frame"
    assert feed.decode(special.bytes)[0] == {"n": 3, "epoch": 90, "arrays": [["fake", "xy", 1, 2]]}
