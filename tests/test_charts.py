"""ui.charts.plot: the figure dict reaches the browser as it is (no plotly re-validation), with
the language's number marks."""

import json

import plotly.io
import plotly.tools
from streamlit.testing.v1 import AppTest

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
