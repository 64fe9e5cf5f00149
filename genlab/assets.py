"""Files the lab serves itself (``server.py``): plotly.js for its live charts (``ui/live_chart``).

Streamlit serves a component's folder gzip-compressed at level 9 on every request, with no
lifetime: the 4.6 MB plotly.min.js cost the server 0.22 s of CPU per fetch, and each of a room's
live charts (three in the GAN room) fetched it again at every page load. Here it is compressed
once, and its address names plotly's version, so browsers keep it for a year.
"""

import functools
import gzip
from pathlib import Path

import plotly

PLOTLY_FILE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PLOTLY_PATH = f"/genlab/assets/plotly-{plotly.__version__}.min.js"
CACHED = {"Cache-Control": "public, max-age=31536000, immutable"}


@functools.cache
def plotly_gzipped() -> bytes:
    return gzip.compress(PLOTLY_FILE.read_bytes(), compresslevel=6)
