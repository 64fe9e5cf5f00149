"""Links a participant may copy and send: the page's address with the room's settings and the
language, never the participant's private key (``?me=``) nor their job ids (``?job_<slot>=``)."""

from urllib.parse import urlencode

import streamlit as st

from ui.i18n import current_lang

PRIVATE = ("me",)
PRIVATE_PREFIXES = ("job_",)


def public(params: dict) -> dict:
    """``params`` without the participant's key and job ids."""
    return {
        name: value
        for name, value in params.items()
        if name not in PRIVATE and not name.startswith(PRIVATE_PREFIXES)
    }


def share_url(params: dict) -> str:
    """The current page's address with ``params`` and the reader's language: safe to send."""
    base = (st.context.url or "").split("?")[0]
    return f"{base}?{urlencode({**public(params), 'lang': current_lang()})}"
