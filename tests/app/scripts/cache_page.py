"""A page that caches one value per text, shared across sessions or kept in each session."""

import streamlit as st

from tests.support import app as helpers
from ui import cache


@cache.resource(max_entries=4)
def build(text: str) -> dict:
    helpers.BUILDS.append(text)
    return {"text": text}


value = build(st.query_params.get("text", "x"), shared=st.query_params.get("shared") == "1")
st.write(value["text"])
