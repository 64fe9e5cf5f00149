"""The GAN configuration: validation with translated errors, dict and URL round trips."""

import pytest

from genlab.errors import UserError
from genlab.gan.config import PRESETS, GanConfig, preset
from genlab.i18n import catalogue


def test_defaults_are_valid_and_round_trip_through_a_dict():
    cfg = GanConfig()
    assert GanConfig.from_dict(cfg.to_dict()) == cfg.validate()


def test_query_holds_only_changed_fields_and_restores_the_config():
    cfg = GanConfig(dataset="spiral", d_lr=0.05, loss="hinge", g_layers=4, noise="uniform")
    query = cfg.to_query()
    assert set(query) == {"gan_dataset", "gan_d_lr", "gan_loss", "gan_g_layers", "gan_noise"}
    assert all(isinstance(v, str) for v in query.values())
    # other rooms' keys in the URL (lang, job ids, the embeddings' e_ keys) are ignored
    assert GanConfig.from_query({**query, "lang": "pt-BR", "job_gan": "abc", "e_k": "3"}) == cfg


def test_older_links_with_bare_names_still_work():
    assert GanConfig.from_query({"d_lr": "0.05", "dataset": "spiral"}) == GanConfig(
        d_lr=0.05, dataset="spiral"
    )
    assert GanConfig.from_query({"d_lr": "0.05", "gan_d_lr": "0.5"}).d_lr == 0.5


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("g_layers", "9", "gan.err_range"),
        ("d_neurons", "0", "gan.err_range"),
        ("noise_dim", "12", "gan.err_range"),
        ("d_lr", "0", "gan.err_range"),
        ("g_lr", "abc", "gan.err_not_number"),
        ("loss", "magic", "gan.err_choice"),
        ("dataset", "moon", "gan.err_choice"),
    ],
)
def test_bad_values_raise_a_translatable_error(field, value, key):
    with pytest.raises(UserError) as err:
        GanConfig.from_query({field: value})
    assert err.value.key == key
    assert key in catalogue()


def test_a_saved_config_with_an_unknown_field_is_refused():
    with pytest.raises(UserError) as err:
        GanConfig.from_dict({**GanConfig().to_dict(), "colour": "red"})
    assert err.value.key == "gan.err_unknown_field"


def test_learning_rate_and_loss_change_live_but_networks_need_a_reset():
    cfg = GanConfig()
    assert not cfg.needs_reset(cfg.replace(d_lr=0.5, loss="hinge", optimizer="sgd", d_steps=3))
    assert cfg.needs_reset(cfg.replace(g_neurons=8))
    assert cfg.needs_reset(cfg.replace(noise_dim=1))
    assert cfg.needs_reset(cfg.replace(dataset="line"))


def test_every_dataset_has_a_valid_preset():
    for dataset in PRESETS:
        cfg = GanConfig.from_dict(preset(dataset))
        assert cfg.dataset == dataset
