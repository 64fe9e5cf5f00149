"""What a participant has done in each room, for the guided lessons' automatic checks.

Rooms call ``report(room, **values)`` with plain values (numbers, strings, booleans) whenever they
change; a lesson step's check reads ``state(room)``. Kept in the participant's session only.

The names each room reports (a lesson's check may use any of them):

- ``text``: corpus, tokenizer, model, steps (done so far), val_loss, uploaded (bool: trained on
  the participant's own text), running (bool)
- ``next``: model, prompt, temperature, top_k, top_p, min_p, repetition_penalty, generated
  (tokens generated so far in the session), last_text (the latest generated continuation),
  sampled (draws made with "sample 1000" and similar), forced (tokens forced by the participant)
- ``gan``: dataset, epoch, js (latest grid JS, bits), running (bool), d_lr, g_lr, loss,
  diverged (bool: a divergence was seen), stepped (epochs stepped by hand)
- ``embed``: source, method, dims, query (the searched word), neighbours (bool), analogy (bool:
  an analogy was computed), axis (bool: a custom axis is shown), timeline (bool: the training
  timeline was played or moved)
"""

import streamlit as st

SESSION_KEY = "genlab_progress"


def report(room: str, **values) -> None:
    """Record the latest ``values`` of ``room`` for this participant."""
    st.session_state.setdefault(SESSION_KEY, {}).setdefault(room, {}).update(values)


def state(room: str) -> dict:
    """What ``room`` last reported for this participant ({} when nothing yet)."""
    return dict(st.session_state.get(SESSION_KEY, {}).get(room, {}))
