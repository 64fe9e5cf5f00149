"""Class dashboard (/class): the instructor creates a class, projects its join code and QR code,
follows the class live, brings everyone to a step, presents a result, exports and deletes."""

import streamlit as st

from genlab.classroom import lessons, store
from genlab.errors import UserError
from ui import dashboard, live
from ui.i18n import current_lang, plain, t

presenting = st.session_state.get("class_presenter", False)  # the projector: no title, no forms
if not presenting:
    st.title(t("class.instructor_title"), anchor=False)


def sign_in() -> None:
    if store.is_instructor(st.session_state.get("class_instructor_code")):
        st.session_state["class_instructor"] = True
    else:
        st.session_state["class_wrong_code"] = True


if not st.session_state.get("class_instructor"):
    with st.form("class_sign_in"):
        st.text_input(
            t("class.instructor_code"),
            type="password",
            key="class_instructor_code",
            help=t("class.instructor_help"),
        )
        st.form_submit_button(t("class.instructor_enter"), on_click=sign_in, type="primary")
    if st.session_state.pop("class_wrong_code", False):
        st.error(t("class.instructor_wrong"), icon=":material/lock:")
    st.stop()

lang = current_lang()


def create() -> None:
    try:
        st.session_state["class_code"] = store.create(st.session_state["class_lesson"]).code
    except UserError as err:
        st.session_state["class_error"] = err


if not presenting:
    with st.expander(t("class.create_title"), expanded=not store.listing()):
        shipped = lessons.shipped()
        st.selectbox(
            t("class.lesson_pick"),
            list(shipped),
            key="class_lesson",
            format_func=lambda k: lessons.pick(shipped[k].title, lang),
        )
        st.button(t("class.create"), on_click=create, type="primary", key="class_create")
if "class_error" in st.session_state:
    live.show_error(st.session_state.pop("class_error"))

classes = {c.code: c for c in store.listing()}
if not classes:
    st.stop()
if st.session_state.get("class_code") not in classes:
    st.session_state["class_code"] = next(iter(classes))
# the toggle's column fits "Modo apresentação" beside its help at 1280x720 (a fifth clipped it)
pick_col, toggle_col = st.columns([3, 2], vertical_alignment="bottom")
pick_col.selectbox(
    t("class.class_pick"),
    list(classes),
    key="class_code",
    format_func=lambda code: plain(
        "class.class_label",
        code=code,
        lesson=lessons.pick(classes[code].lesson.title, lang),
    ),
)
classroom = classes[st.session_state["class_code"]]
lesson = classroom.lesson

presenting = toggle_col.toggle(
    t("class.presenter"), key="class_presenter", help=t("class.presenter_help")
)
if presenting:
    choices = dashboard.presenter_choices(lesson, classroom.members())
    shown = pick_col.selectbox(
        t("class.presenter_show"),
        list(choices),
        format_func=choices.get,
        key="class_presented_item",
    )
    st.fragment(dashboard.presenter, run_every=dashboard.EVERY_S)(classroom.code, shown or "")
    st.stop()

code_col, qr_col = st.columns([3, 1])
with code_col:
    st.markdown(t("class.join_code_is", code=classroom.code))
    url = dashboard.join_url(classroom.code)
    st.caption(t("class.join_url"))
    st.code(url, language=None)
qr_col.image(dashboard.qr_png(url), caption=t("class.qr_caption"), width=180)

st.fragment(dashboard.live, run_every=dashboard.EVERY_S)(classroom.code)

st.subheader(t("class.bring_title"), anchor=False)
pace_col, button_col = st.columns([1, 2], vertical_alignment="bottom")
target = pace_col.number_input(
    t("class.bring_step"), 1, len(lesson.steps), 1, key="class_bring_step"
)
if button_col.button(t("class.bring_button"), key="class_bring"):
    classroom.bring_to(int(target) - 1)
    st.success(t("class.brought", step=int(target)), icon=":material/groups:")

st.subheader(t("class.export"), anchor=False)
csv_col, json_col = st.columns(2)
csv_col.download_button(
    t("class.export_csv"),
    lambda: store.export_csv(classroom),
    f"class-{classroom.code}.csv",
    "text/csv",
    key="class_csv",
    on_click="ignore",
)
json_col.download_button(
    t("class.export_json"),
    lambda: store.export_json(classroom),
    f"class-{classroom.code}.json",
    "application/json",
    key="class_json",
    on_click="ignore",
)

with st.expander(t("class.delete")):
    if st.button(t("class.delete_confirm"), key="class_delete", type="primary"):
        classroom.delete()
        st.session_state.pop("class_code", None)
        st.toast(t("class.deleted"), icon=":material/delete:")
        st.rerun()
