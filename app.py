"""GenLab's entry point: the rooms (``genlab.rooms``), the language switch, the shared sidebar."""

import streamlit as st

from genlab import device, rooms
from ui import dashboard, frame_text, lesson, live
from ui.i18n import language_switch, t

device.configure()
st.set_page_config(page_title="GenLab", page_icon=":material/science:", layout="wide")


def page(room: rooms.Room) -> st.Page:
    """The navigation entry of a room; the one with no URL path is the default page (Home)."""
    where = {"url_path": room.url_path} if room.url_path else {"default": True}
    return st.Page(room.page, title=t(room.title_key), icon=room.icon, **where)


navigation = st.navigation(
    {t(section) if section else "": [page(room) for room in group]
     for section, group in rooms.sections().items()}
)  # fmt: skip
st.sidebar.caption(t("common.tagline"))
language_switch()
with st.sidebar:
    live.keep_alive()
    frame_text.translate_frame()
dashboard.announce_instructor_code()
lesson.panel()
navigation.run()
