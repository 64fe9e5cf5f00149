"""Caches that keep participants apart.

``st.cache_resource`` is one cache for the whole server: only what ships with the lab (built-in
corpora, shipped models) may go there. What comes from a participant (an upload, a model they
trained) is cached in their own session: freed with it, and never found by another session.
"""

import functools
import hashlib
import inspect
from collections import OrderedDict
from collections.abc import Callable

import streamlit as st

PREFIX = "cache_"


def _key_part(value) -> object:
    """Long keys are kept as a digest (not as a second copy of a participant's text)."""
    if isinstance(value, str) and len(value) > 256:
        return hashlib.sha1(value.encode("utf-8")).hexdigest()
    return value


def in_session(name: str, key, build: Callable[[], object], max_entries: int = 8):
    """``build()``, remembered in this session under ``key`` (the least recently used go first)."""
    key = _key_part(key)
    store = st.session_state.setdefault(PREFIX + name, OrderedDict())
    if key in store:
        store.move_to_end(key)
        return store[key]
    value = store[key] = build()
    while len(store) > max_entries:
        store.popitem(last=False)
    return value


def resource(max_entries: int):
    """Decorate ``fn`` to cache its results: ``fn(*args, shared=True)`` in the server-wide
    ``st.cache_resource`` (only for what ships with the lab), ``shared=False`` in the session.
    As with Streamlit, arguments whose names start with ``_`` are not part of the key."""

    def decorate(fn):
        server_wide = st.cache_resource(show_spinner=False, max_entries=max_entries)(fn)
        names = list(inspect.signature(fn).parameters)

        @functools.wraps(fn)
        def call(*args, shared: bool):
            if shared:
                return server_wide(*args)
            key = repr(tuple(a for a, n in zip(args, names, strict=True) if n[0] != "_"))
            return in_session(fn.__name__, key, lambda: fn(*args), max_entries)

        return call

    return decorate
