"""Groups of widgets whose values the lab itself sets at times (a preset, a loaded model, a fix)."""

import streamlit as st


class Versioned:
    """The keys of a group of widgets, ``{prefix}_{field}``. Each time the lab sets the group's
    values, the keys get a new version: a value the browser sent before it received the new ones
    (a live tick in flight) then lands on the old key and is dropped instead of undoing the
    change."""

    def __init__(self, prefix: str, fields) -> None:
        self.prefix, self.fields = prefix, tuple(fields)
        self.version_key = f"{prefix}_settings_version"

    def key(self, field: str) -> str:
        version = st.session_state.get(self.version_key, 0)
        return f"{self.prefix}_{field}_v{version}" if version else f"{self.prefix}_{field}"

    def value(self, field: str):
        return st.session_state[self.key(field)]

    def present(self) -> dict:
        """The group's values that are in the session now."""
        return {f: self.value(f) for f in self.fields if self.key(f) in st.session_state}

    def values(self) -> dict:
        return {f: self.value(f) for f in self.fields}

    def set(self, values: dict) -> None:
        """Give the widgets these values (the fields not given keep theirs)."""
        ss, present = st.session_state, self.present()
        if present:  # the widgets exist already: new keys
            for field in present:
                ss.pop(self.key(field))
            ss[self.version_key] = ss.get(self.version_key, 0) + 1
        for field, value in {**present, **values}.items():
            ss[self.key(field)] = value
