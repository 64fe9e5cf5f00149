"""Join a class (/join?code=...): a code and a nickname, no account. The participant's key
(``?me=``) is tied to the class; the lesson then shows in the sidebar of every room."""

import streamlit as st

from genlab.classroom import store
from genlab.errors import UserError
from ui import live
from ui.i18n import current_lang, t
from ui.lesson import PAGES

st.title(t("class.join_title"), anchor=False)
key = live.owner()


def join() -> None:
    try:
        store.join(st.session_state["join_code"], key, st.session_state["join_nickname"])
    except UserError as err:
        st.session_state["join_error"] = err


def leave() -> None:
    store.leave(key)


found = store.membership(key)
if found is not None:
    classroom, member = found
    st.success(
        t("class.joined", code=classroom.code, nickname=member.nickname), icon=":material/school:"
    )
    step = classroom.lesson.step(member.step)
    params = {**step.query(), "me": key, "lang": current_lang()}
    st.page_link(
        PAGES[step.room],
        label=t("class.start_lesson"),
        icon=":material/arrow_forward:",
        query_params=params,
    )
    st.button(t("class.leave"), on_click=leave, key="join_leave")
    st.stop()

st.write(t("class.join_intro"))
if "join_code" not in st.session_state:
    st.session_state["join_code"] = store.normalise_code(st.query_params.get("code"))[:12]
with st.form("join_form"):
    st.text_input(t("class.join_code"), key="join_code")
    st.text_input(t("class.nickname"), key="join_nickname")
    st.form_submit_button(t("class.join_button"), on_click=join, type="primary")
if "join_error" in st.session_state:
    live.show_error(st.session_state.pop("join_error"))
