"""GenLab's entry point: the rooms, the language switch and the shared sidebar."""

import streamlit as st

from genlab import device
from ui.i18n import language_switch, t

device.configure()
st.set_page_config(page_title="GenLab", page_icon=":material/science:", layout="wide")


def room(name: str, icon: str) -> st.Page:
    """A room's page. Its URL is its file name, as Streamlit expects on a first visit."""
    return st.Page(f"pages/{name}.py", title=t(f"common.page_{name}"), icon=icon)


ROOMS = {
    "": [st.Page("pages/home.py", title=t("common.page_home"), icon=":material/home:")],
    t("common.section_text"): [
        room("text_train", ":material/menu_book:"),
        room("text_next", ":material/casino:"),
    ],
    t("common.section_images"): [room("gan", ":material/donut_large:")],
    t("common.section_space"): [room("embeddings", ":material/scatter_plot:")],
}

navigation = st.navigation(ROOMS)
st.sidebar.caption(t("common.tagline"))
language_switch()
navigation.run()
