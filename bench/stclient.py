"""A Streamlit client without a browser: one participant's session over the real websocket protocol.

It does what Streamlit's frontend does, with the same messages: ``GET /`` and
``GET /_stcore/health`` (which sets the XSRF cookie), the websocket ``/_stcore/stream`` with the
token in the subprotocol list (``streamlit, <token>``), ``BackMsg.rerun_script`` carrying the URL's
query string, the page, the changed widget values and the browser context (locale, time zone), the
forward-message cache (``cached_message_hashes``, so the server may send a reference instead of an
element seen in the last runs), and fragment re-runs for the ``run_every`` timers the server
announces (``auto_rerun``). It keeps what a participant would look at: the texts of the page,
widgets by key, alerts, exceptions, the query string.

    client = Session(base_url, "/text", locale="pt-BR")
    await client.connect()
    seconds = await client.rerun()                          # open the page
    await client.rerun({"text_steps": 300})                 # change a widget
    await client.rerun(click="text_play")                   # press a button
    await client.close()

Fragments with ``run_every`` re-run by themselves while the session is open, as in a browser.
"""

import asyncio
import json
import time
import urllib.request
from dataclasses import dataclass
from http.cookies import SimpleCookie

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Slider_pb2 import Slider
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

XSRF_COOKIE = "_streamlit_xsrf"
RERUN_TIMEOUT_S = 30.0
TIMER_RESOLUTION_S = 0.02
EARLY_FOR_RERUN = ForwardMsg.FINISHED_EARLY_FOR_RERUN
WIDGET_ID_PREFIX = "$$ID-"


@dataclass
class Problem:
    """Something a participant would see as broken (or the server did to the connection)."""

    kind: str  # "exception" | "error_alert" | "closed" | "timeout" | "protocol"
    detail: str
    page: str


class Closed(Exception):
    """The server closed the websocket."""


def xsrf_token(base_url: str) -> str:
    """What a browser opening the lab does before its websocket: ``GET /`` (the page), then
    ``GET /_stcore/health``, whose answer sets the XSRF cookie."""
    with urllib.request.urlopen(base_url + "/", timeout=30) as answer:
        answer.read()
    with urllib.request.urlopen(base_url + "/_stcore/health", timeout=30) as answer:
        answer.read()
        cookies = SimpleCookie()
        for header in answer.headers.get_all("Set-Cookie") or ():
            cookies.load(header)
    return cookies[XSRF_COOKIE].value


def widget_value(state, value) -> None:
    """Fill a WidgetState proto the way the frontend does for this kind of value."""
    if isinstance(value, bool):
        state.bool_value = value
    elif isinstance(value, int):
        state.int_value = value
    elif isinstance(value, float):
        state.double_array_value.data[:] = [value]  # sliders send their values as an array
    elif isinstance(value, str):
        state.string_value = value
    elif isinstance(value, tuple):
        state.string_array_value.data[:] = value  # a select slider: its option's label
    else:
        raise TypeError(f"unsupported widget value {value!r}")


def as_sent(body, value):
    """What the frontend sends for ``value``: a select slider (ui.widgets.decimal_slider) sends
    the label of the option nearest to it (labels as "1.25"), other widgets the value itself."""
    if getattr(body, "type", None) != Slider.SELECT_SLIDER or not isinstance(value, float):
        return value
    return (min(body.options, key=lambda label: abs(float(label.replace(",", "")) - value)),)


class Session:
    """One browser tab on the lab, driven by the caller."""

    def __init__(self, base_url: str, path: str = "/", locale: str = "en-US", name: str = ""):
        self.base_url = base_url
        self.name = name or path
        self.locale = locale
        self.page = path.strip("/")
        self.query_string = ""
        self.pages: dict[str, str] = {}  # url path -> page script hash (from st.navigation)
        self.widgets: dict[str, tuple[str, object]] = {}  # user key -> (widget id, element)
        self.values: dict[str, object] = {}  # widget id -> value the participant set
        self.texts: list[tuple[float, str]] = []  # (time, text) of every text element received
        self.metrics: list[tuple[float, str, str]] = []  # (time, label, value) of every st.metric
        self.feed: str | None = None  # the newest live chart feed the page gave (genlab.feed)
        self.auto_reruns: dict[str, float] = {}  # fragment id -> interval, as the frontend keeps
        self.problems: list[Problem] = []
        self.closed_by_server = False
        self._cache: dict[str, tuple[ForwardMsg, int, str]] = {}  # hash -> (msg, run, fragment)
        self._runs = 0  # script runs finished, the age of cached messages
        self._max_age = 2  # runs a cached message is kept unused (the server's setting)
        self._run_fragments: tuple[str, ...] = ()  # fragments of the current run (none: full run)
        self._finished: asyncio.Queue = asyncio.Queue()
        self._socket = None
        self._reader: asyncio.Task | None = None
        self._timers: asyncio.Task | None = None
        self._page_hash = ""
        self._closing = False
        self._lock = asyncio.Lock()
        self.timings: list[tuple[str, str, float, float]] = []  # (action, page, seconds, sent)

    # ------------------------------------------------------------------ connection
    async def connect(self) -> None:
        token = await asyncio.to_thread(xsrf_token, self.base_url)
        self._socket = await connect(
            self.base_url.replace("http", "ws", 1) + "/_stcore/stream",
            subprotocols=["streamlit", token],
            additional_headers={
                "Cookie": f"{XSRF_COOKIE}={token}",
                "Origin": self.base_url,
                "Accept-Language": self.locale,
            },
            max_size=None,
        )
        self._reader = asyncio.create_task(self._read(), name=f"read {self.name}")
        self._timers = asyncio.create_task(self._run_timers(), name=f"timers {self.name}")

    async def close(self) -> None:
        self._closing = True
        if self._timers is not None:
            self._timers.cancel()
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            await self._reader

    # ------------------------------------------------------------------ actions
    async def rerun(
        self,
        widgets: dict[str, object] | None = None,
        click: str | None = None,
        page: str | None = None,
        fragment_id: str | None = None,
        timeout: float = RERUN_TIMEOUT_S,
    ) -> float | None:
        """Send a rerun (a page visit, changed widget values, a click, a fragment tick) and wait
        for the script to finish; the seconds it took (also kept in ``timings`` with what it
        was), or None (a problem is recorded)."""
        async with self._lock:
            return await self._rerun(widgets, click, page, fragment_id, timeout)

    async def _rerun(self, widgets, click, page, fragment_id, timeout) -> float | None:
        action = "tick" if fragment_id else "click" if click else "widget" if widgets else "open"
        for key, value in (widgets or {}).items():
            if key not in self.widgets:  # its page did not arrive (a timeout, recorded)
                self.problems.append(Problem("protocol", f"no widget {key}", self.page))
                continue
            widget_id, body = self.widgets[key]
            self.values[widget_id] = as_sent(body, value)
        msg = BackMsg()
        state = msg.rerun_script
        if page is not None and page.strip("/") != self.page:
            self.page = page.strip("/")
            self.values.clear()  # the frontend forgets a page's widgets when leaving it,
            self.query_string = ""  # and the page's query parameters
            self._page_hash = self.pages.get(self.page, "")
            self.auto_reruns.clear()
        state.query_string = self.query_string
        state.page_script_hash = self._page_hash
        state.page_name = "" if self._page_hash else self.page
        for widget_id, value in self.values.items():
            widget_value(state.widget_states.widgets.add(id=widget_id), value)
        if click is not None:
            state.widget_states.widgets.add(id=self.widgets[click][0], trigger_value=True)
        if fragment_id is not None:
            state.fragment_id = fragment_id
            state.is_auto_rerun = True
        state.cached_message_hashes.extend(self._cache)
        info = state.context_info
        info.locale, info.timezone, info.timezone_offset = self.locale, "America/Sao_Paulo", 180
        info.url = f"{self.base_url}/{self.page}"
        while not self._finished.empty():
            self._finished.get_nowait()
        started = time.perf_counter()
        try:
            await self._socket.send(msg.SerializeToString())
            await asyncio.wait_for(self._finished_run(), timeout)
        except TimeoutError:
            self.problems.append(
                Problem("timeout", f"{action}: no end in {timeout:g} s", self.page)
            )
            return None
        except (Closed, ConnectionClosed):
            return None
        seconds = time.perf_counter() - started
        self.timings.append((action, self.page, seconds, started))
        return seconds

    async def _run_timers(self) -> None:
        """The frontend's ``run_every`` timers: each fragment the server announced is re-run at
        its interval (a late tick is not made up)."""
        due: dict[str, float] = {}
        while True:
            now = time.perf_counter()
            due = {f: due.get(f, now + every) for f, every in self.auto_reruns.items()}
            for fragment, at in due.items():
                if at <= now and fragment in self.auto_reruns:
                    due[fragment] = now + self.auto_reruns[fragment]
                    await self.rerun(fragment_id=fragment)
            await asyncio.sleep(TIMER_RESOLUTION_S)

    async def _finished_run(self) -> None:
        """Until a run ends for good (a run cut short by ``st.rerun`` continues in a new run)."""
        while True:
            status = await self._finished.get()
            if status is None:
                raise Closed
            if status != EARLY_FOR_RERUN:
                return

    # ------------------------------------------------------------------ messages
    async def _read(self) -> None:
        try:
            async for data in self._socket:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._handle(msg)
        except ConnectionClosed:
            pass
        if not self._closing:
            self.closed_by_server = True
            detail = f"code {self._socket.close_code} {self._socket.close_reason!r}"
            self.problems.append(Problem("closed", detail, self.page))
        self._finished.put_nowait(None)

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            if msg.ref_hash not in self._cache:
                self.problems.append(Problem("protocol", f"unknown ref {msg.ref_hash}", self.page))
                return
            msg = self._cache[msg.ref_hash][0]
            kind = msg.WhichOneof("type")
        if msg.metadata.cacheable and msg.hash:
            self._cache[msg.hash] = (msg, self._runs, msg.delta.fragment_id)
        if kind == "new_session":
            self._max_age = msg.new_session.config.max_cached_message_age or self._max_age
            self._run_fragments = tuple(msg.metadata.run.fragment_ids)
            if not self._run_fragments:
                self.auto_reruns.clear()  # a full run: the frontend drops its fragment timers
                self.widgets.clear()
        elif kind == "navigation":
            self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            self._page_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "auto_rerun":
            self.auto_reruns[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            for fragment in msg.stop_auto_rerun.fragment_ids:
                self.auto_reruns.pop(fragment, None)
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(msg.delta.new_element)
        elif kind == "script_finished":
            if msg.script_finished != EARLY_FOR_RERUN:
                self._age_cache()
            self._finished.put_nowait(msg.script_finished)

    def _age_cache(self) -> None:
        """Forget cached messages unused for more runs than the server allows (after a fragment
        run, only that fragment's), as the frontend does."""
        self._runs += 1
        for key, (_, used, fragment) in list(self._cache.items()):
            if self._run_fragments and fragment not in self._run_fragments:
                continue
            if self._runs - used > self._max_age:
                del self._cache[key]

    def _element(self, element) -> None:
        kind = element.WhichOneof("type")
        body = getattr(element, kind)
        now = time.perf_counter()
        if kind == "exception":
            detail = f"{body.type}: {body.message}\n{chr(10).join(body.stack_trace)}"
            self.problems.append(Problem("exception", detail, self.page))
        elif kind == "alert":
            self.texts.append((now, body.body))
            if body.format == Alert.ERROR:
                self.problems.append(Problem("error_alert", body.body, self.page))
        elif kind in ("markdown", "text", "heading"):
            self.texts.append((now, body.body))
        elif kind == "metric":
            self.metrics.append((now, body.label, body.body))
        elif kind == "component_instance" and '"feed"' in body.json_args:
            self.feed = json.loads(body.json_args)["feed"] or self.feed
        elif getattr(body, "id", "").startswith(WIDGET_ID_PREFIX):
            key = body.id.split("-", 2)[2]  # "$$ID-<hash>-<user key>"; "None" without a key
            self.widgets[key] = (body.id, body)
