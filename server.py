"""GenLab's server: the Streamlit app (``app.py``) and the live charts' feed (``genlab.feed``).

``streamlit run server.py`` serves both from one process, so that the feed reads the same jobs as
the pages: ``./lab run``, the tests and ``deploy/serve.sh`` start it so.
"""

import streamlit as st
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from genlab import feed


async def live_feed(request: Request) -> Response:
    """``GET /genlab/feed/<token>?seen=<n>``: the newest frame of the token's job, 204 when the
    chart has it already, 404 when the job is gone; ``X-GenLab-Next``: seconds until the next
    fetch (0: the job ended, fetch no more)."""
    try:
        seen = int(request.query_params.get("seen", "-1"))
    except ValueError:
        seen = -1
    status, body, next_s = feed.fetch(request.path_params["token"], seen)
    headers = {"X-GenLab-Next": f"{next_s:g}", "Cache-Control": "no-store"}
    return Response(body, status, headers, media_type="application/octet-stream")


app = st.App("app.py", routes=[Route(feed.PATH + "/{token}", live_feed)])
