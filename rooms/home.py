"""Home: what each room is for, in plain words, with a picture of each room."""

import streamlit as st

from genlab import rooms
from genlab.jobs import max_jobs
from ui.i18n import current_lang, t

COLUMNS = 2


def card(room: rooms.Room) -> None:
    title, body = room.card_keys
    with st.container(border=True):
        st.subheader(t(title))
        picture = room.screenshot(current_lang())
        if picture.exists():
            st.image(str(picture), width="stretch")
        st.write(t(body))
        st.page_link(room.page, label=t("home.open_room"), icon=":material/arrow_forward:")


def cards(listed: list[rooms.Room]) -> None:
    """The rooms two by two; a last odd one sits in the left column."""
    for start in range(0, len(listed), COLUMNS):
        row = listed[start : start + COLUMNS]
        for column, room in zip(st.columns(COLUMNS, gap="large"), row, strict=False):
            with column:
                card(room)


st.title(t("home.title"))
st.write(t("home.intro"))
cards(rooms.on_home())
st.caption(t("home.for_instructors", limit=max_jobs()))
