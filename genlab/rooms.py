"""The rooms of the lab, in one list: the navigation (``app.py``), Home, the CLI and the page tests
read it. Adding a room is one line here (see CONTRIBUTING.md, "Adding a room").

No Streamlit here: the list is plain data, so the CLI and the tests can read it too.
"""

import importlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Room:
    """One page of the lab.

    ``name``: the page is ``rooms/<name>.py``, its Home picture ``assets/screenshots/<name>.png``
    (``<name>.pt-BR.png`` for the Portuguese page, when it differs).
    ``strings``: the catalogue file (``genlab/locales/<strings>.toml``) holding the room's
    navigation title ``page_<name>`` and its Home card ``<name>_title`` / ``<name>_body``.
    ``section``: the catalogue key of its group in the navigation ("" for none).
    ``cli``: the module whose ``register(subparsers)`` adds its ``python -m genlab`` subcommands.
    ``on_home``: whether Home shows a card for it.
    """

    name: str
    url_path: str
    icon: str
    section: str
    strings: str
    cli: str | None = None
    on_home: bool = True

    @property
    def page(self) -> str:
        return f"rooms/{self.name}.py"

    @property
    def title_key(self) -> str:
        return f"{self.strings}.page_{self.name}"

    @property
    def card_keys(self) -> tuple[str, str]:
        return f"{self.strings}.{self.name}_title", f"{self.strings}.{self.name}_body"

    def screenshot(self, lang: str = "en") -> Path:
        """The room's Home picture in ``lang`` (``text_next.pt-BR.png``) when there is one, else
        the English one (``text_next.png``)."""
        own = ROOT / "assets" / "screenshots" / f"{self.name}.{lang}.png"
        return own if own.exists() else ROOT / "assets" / "screenshots" / f"{self.name}.png"


ROOMS = (
    Room("home", "", ":material/home:", "", "home", on_home=False),
    Room("text_train", "text", ":material/menu_book:", "common.section_text", "home",
         cli="genlab.text.cli_train"),
    Room("text_next", "next", ":material/casino:", "common.section_text", "home",
         cli="genlab.text.cli_next"),
    Room("gan", "gan", ":material/donut_large:", "common.section_images", "home",
         cli="genlab.gan.cli"),
    Room("embeddings", "embeddings", ":material/scatter_plot:", "common.section_space", "home",
         cli="genlab.embed.cli"),
    Room("join", "join", ":material/login:", "class.section_workshop", "class", on_home=False),
    Room("class", "class", ":material/school:", "class.section_workshop", "class", on_home=False),
)  # fmt: skip


def sections(rooms=ROOMS) -> dict[str, list[Room]]:
    """The rooms grouped by navigation section, in the order of the list."""
    grouped: dict[str, list[Room]] = {}
    for room in rooms:
        grouped.setdefault(room.section, []).append(room)
    return grouped


def on_home(rooms=ROOMS) -> list[Room]:
    return [room for room in rooms if room.on_home]


def cli_modules(rooms=ROOMS) -> list:
    """The imported CLI modules of the rooms that have one."""
    return [importlib.import_module(room.cli) for room in rooms if room.cli]
