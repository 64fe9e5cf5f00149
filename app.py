"""GenLab's entry point: the rooms, the language switch and the shared sidebar."""

import streamlit as st

from genlab import device
from ui import dashboard, lesson, live
from ui.i18n import language_switch, t

device.configure()
st.set_page_config(page_title="GenLab", page_icon=":material/science:", layout="wide")


def room(name: str, icon: str, url_path: str) -> st.Page:
    return st.Page(f"rooms/{name}.py", title=t(f"common.page_{name}"), icon=icon, url_path=url_path)


ROOMS = {
    "": [st.Page("rooms/home.py", title=t("common.page_home"), icon=":material/home:")],
    t("common.section_text"): [
        room("text_train", ":material/menu_book:", "text"),
        room("text_next", ":material/casino:", "next"),
    ],
    t("common.section_images"): [room("gan", ":material/donut_large:", "gan")],
    t("common.section_space"): [room("embeddings", ":material/scatter_plot:", "embeddings")],
    t("class.section_workshop"): [
        st.Page(
            "rooms/join.py", title=t("class.page_join"), icon=":material/login:", url_path="join"
        ),
        st.Page(
            "rooms/class.py",
            title=t("class.page_class"),
            icon=":material/school:",
            url_path="class",
        ),
    ],
}

navigation = st.navigation(ROOMS)
st.sidebar.caption(t("common.tagline"))
language_switch()
with st.sidebar:
    live.keep_alive()
dashboard.announce_instructor_code()
lesson.panel()
navigation.run()
