"""GenLab's server: the Streamlit app (``app.py``), the live charts' feed (``genlab.feed``) and
their plotly.js (``genlab.assets``).

``streamlit run server.py`` serves both from one process, so that the feed reads the same jobs as
the pages: ``./lab run``, the tests and ``deploy/serve.sh`` start it so.
"""

import asyncio

import streamlit as st
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from genlab import assets, feed


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


async def plotly_js(request: Request) -> Response:
    """``GET /genlab/assets/plotly-<version>.min.js``: compressed once (on the first request, off
    the event loop), then the same bytes to every chart; kept by browsers for a year."""
    if "gzip" not in request.headers.get("accept-encoding", ""):
        return FileResponse(assets.PLOTLY_FILE, headers=assets.CACHED, media_type="text/javascript")
    body = await asyncio.to_thread(assets.plotly_gzipped)
    headers = {**assets.CACHED, "Content-Encoding": "gzip"}  # Streamlit's gzip then leaves it
    return Response(body, headers=headers, media_type="text/javascript")


app = st.App(
    "app.py",
    routes=[Route(feed.PATH + "/{token}", live_feed), Route(assets.PLOTLY_PATH, plotly_js)],
)
