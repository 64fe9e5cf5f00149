"""genlab.settings: every room's configuration is read, checked and shared the same way."""

from dataclasses import dataclass

import pytest

from genlab.embed.projection import ProjectionConfig
from genlab.embed.settings import View
from genlab.embed.sources import Word2VecConfig
from genlab.errors import UserError
from genlab.gan.config import GanConfig
from genlab.settings import Settings, errors
from genlab.text.models import LMConfig
from genlab.text.sampling import SamplingConfig
from genlab.text.training import TrainConfig

CONFIGS = (GanConfig, LMConfig, TrainConfig, ProjectionConfig, View, SamplingConfig, Word2VecConfig)


@dataclass(frozen=True)
class Demo(Settings):
    PREFIX = "demo_"
    ERRORS = errors("demo.unreadable", "demo.unknown", "demo.value")

    steps: int = 10
    rate: float = 0.5
    name: str = "a"
    on: bool = False
    picks: tuple[int, ...] = (1, 2)

    def validate(self):
        if self.steps < 1:
            raise UserError("demo.steps")
        return self


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.__name__)
def test_every_room_config_uses_the_one_mechanism(config):
    assert issubclass(config, Settings)
    default = config()
    assert config.from_dict(default.to_dict()) == default
    assert default.to_query() == {}
    with pytest.raises(UserError) as err:
        config.from_dict({**default.to_dict(), "no_such_setting": 1})
    assert err.value.key == config.ERRORS["unknown"]
    with pytest.raises(UserError) as err:
        config.from_dict([1, 2])
    assert err.value.key == config.ERRORS["unreadable"]


def test_values_become_the_field_types_and_round_trip_through_a_link():
    demo = Demo.from_dict({"steps": "3", "rate": 2, "on": "1", "picks": [3, "4"]})
    assert demo == Demo(steps=3, rate=2.0, on=True, picks=(3, 4))
    assert demo.to_dict() == {"steps": 3, "rate": 2.0, "name": "a", "on": True, "picks": [3, 4]}
    query = demo.to_query()
    assert query == {"demo_steps": "3", "demo_rate": "2.0", "demo_on": "1", "demo_picks": "3,4"}
    assert Demo.from_query({**query, "lang": "pt-BR", "steps": "99"}) == demo


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"steps": 2.5}, "demo.value"),
        ({"steps": True}, "demo.value"),
        ({"rate": "fast"}, "demo.value"),
        ({"name": 3}, "demo.value"),
        ({"on": "maybe"}, "demo.value"),
        ({"steps": 0}, "demo.steps"),
        ({"stepz": 3}, "demo.unknown"),
        ("steps=3", "demo.unreadable"),
    ],
)
def test_bad_settings_are_refused_with_the_room_s_key(data, key):
    with pytest.raises(UserError) as err:
        Demo.from_dict(data)
    assert err.value.key == key


def test_the_message_names_the_unknown_keys():
    with pytest.raises(UserError) as err:
        LMConfig.from_dict({"n_layer": 2, "n_layers": 3, "heads": 1})
    assert err.value.params["detail"] == "heads, n_layers"
