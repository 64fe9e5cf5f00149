"""Home: what each room is for, in plain words, with a picture of each room."""

from pathlib import Path

import streamlit as st

from genlab.jobs import max_jobs
from ui.i18n import current_lang, t

SCREENSHOTS = Path(__file__).resolve().parent.parent / "assets" / "screenshots"
ROOMS = [
    ("text_train", "rooms/text_train.py"),
    ("text_next", "rooms/text_next.py"),
    ("gan", "rooms/gan.py"),
    ("embeddings", "rooms/embeddings.py"),
]

st.title(t("home.title"))
st.write(t("home.intro"))

for row in (ROOMS[:2], ROOMS[2:]):
    for column, (room, page) in zip(st.columns(2, gap="large"), row, strict=True):
        with column.container(border=True):
            st.subheader(t(f"home.{room}_title"))
            # the page's language's picture when there is one (text_next.pt-BR.png), else English
            picture = SCREENSHOTS / f"{room}.{current_lang()}.png"
            picture = picture if picture.exists() else SCREENSHOTS / f"{room}.png"
            if picture.exists():
                st.image(str(picture), width="stretch")
            st.write(t(f"home.{room}_body"))
            st.page_link(page, label=t("home.open_room"), icon=":material/arrow_forward:")

st.caption(t("home.for_instructors", limit=max_jobs()))
