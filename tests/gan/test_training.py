"""The trainer: losses, optimizers, steps, live changes, divergence, checkpoints, learning."""

import io

import numpy as np
import pytest
import torch

from genlab import checkpoint
from genlab.errors import UserError
from genlab.gan import datasets, optim
from genlab.gan.config import LOSSES, GanConfig
from genlab.gan.losses import LOSSES as LOSS_FNS
from genlab.gan.losses import gradient_penalty
from genlab.gan.metrics import Evaluator
from genlab.gan.networks import MLP
from genlab.gan.training import Trainer

RING = datasets.builtin("ring")


def make(**changes) -> Trainer:
    return Trainer(GanConfig(**changes), RING)


def test_log_losses_match_their_textbook_formulas():
    real, fake = torch.tensor([2.0, -1.0, 0.5]), torch.tensor([-3.0, 0.2])
    d_real, d_fake = torch.sigmoid(real), torch.sigmoid(fake)
    expected_d = -(torch.log(d_real).mean() + torch.log(1 - d_fake).mean())
    assert torch.isclose(LOSS_FNS["minimax"].d(real, fake), expected_d)
    assert torch.isclose(LOSS_FNS["nonsat"].d(real, fake), expected_d)
    assert torch.isclose(LOSS_FNS["minimax"].g(fake), torch.log(1 - d_fake).mean())
    assert torch.isclose(LOSS_FNS["nonsat"].g(fake), -torch.log(d_fake).mean())


def test_equilibrium_values_are_the_losses_when_d_answers_one_half():
    half = torch.zeros(4)  # sigmoid(0) = 0.5
    for name in ("minimax", "nonsat"):
        d_eq, g_eq = LOSS_FNS[name].equilibrium
        assert np.isclose(float(LOSS_FNS[name].d(half, half)), d_eq)
        assert np.isclose(float(LOSS_FNS[name].g(half)), g_eq)
    ls = LOSS_FNS["least_squares"]
    assert np.isclose(float(ls.d(half + 0.5, half + 0.5)), ls.equilibrium[0])
    assert np.isclose(float(ls.g(half + 0.5)), ls.equilibrium[1])


def test_gradient_penalty_is_zero_for_a_unit_slope_critic_and_positive_otherwise():
    gen = torch.Generator().manual_seed(0)
    real, fake = torch.randn(64, 2), torch.randn(64, 2)
    direction = torch.tensor([[0.6], [0.8]])  # |w| = 1
    assert float(gradient_penalty(lambda x: x @ direction, real, fake, gen)) < 1e-10
    assert np.isclose(float(gradient_penalty(lambda x: x @ (3 * direction), real, fake, gen)), 40)


@pytest.mark.parametrize("name", ["adam", "sgd"])
def test_fused_optimizers_match_torch_optim(name):
    torch.manual_seed(0)
    ours_p = [torch.randn(5, 3), torch.randn(5)]
    ref_p = [p.clone().requires_grad_() for p in ours_p]
    if name == "adam":
        ours = optim.Adam(ours_p, lr=0.01, betas=(0.5, 0.999))
        ref = torch.optim.Adam(ref_p, lr=0.01, betas=(0.5, 0.999))
    else:
        ours, ref = optim.SGD(ours_p, lr=0.1), torch.optim.SGD(ref_p, lr=0.1)
    for _ in range(5):
        grads = [torch.randn_like(p) for p in ours_p]
        ours.step(grads)
        for p, g in zip(ref_p, grads, strict=True):
            p.grad = g.clone()
        ref.step()
    for a, b in zip(ours_p, ref_p, strict=True):
        torch.testing.assert_close(a, b.detach())


def test_mlp_matches_torch_linear_layers():
    net = MLP([2, 8, 8, 1], "tanh", torch.Generator().manual_seed(1))
    ref = torch.nn.Sequential(
        torch.nn.Linear(2, 8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 1),
    )
    pairs = zip(net.params[::2], net.params[1::2], strict=True)
    with torch.no_grad():
        for layer, (w, b) in zip(ref[::2], pairs, strict=True):
            layer.weight.copy_(w)
            layer.bias.copy_(b)
    x = torch.randn(10, 2)
    torch.testing.assert_close(net(x), ref(x))
    assert net(x).shape == (10, 1)


def test_zero_hidden_layers_is_a_linear_map():
    t = make(g_layers=0, d_layers=0, activation="sigmoid")
    assert [tuple(p.shape) for p in t.G.params] == [(2, 2), (2,)]
    t.train(3)
    assert t.epoch == 3


def test_steps_update_only_the_network_they_name():
    t = make()
    g0, d0 = [p.clone() for p in t.G.params], [p.clone() for p in t.D.params]
    t.step_d()
    assert all(torch.equal(a, b) for a, b in zip(g0, t.G.params, strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(d0, t.D.params, strict=True))
    d1 = [p.clone() for p in t.D.params]
    t.step_g()
    assert all(torch.equal(a, b) for a, b in zip(d1, t.D.params, strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(g0, t.G.params, strict=True))
    assert (t.d_updates, t.g_updates, t.epoch) == (1, 1, 0)


def test_an_epoch_runs_the_configured_number_of_updates():
    t = make(d_steps=3, g_steps=2)
    t.train(4)
    assert (t.epoch, t.d_updates, t.g_updates) == (4, 12, 8)


def test_the_same_seed_gives_the_same_run():
    a, b = make(seed=5), make(seed=5)
    a.train(20)
    b.train(20)
    np.testing.assert_array_equal(a.fixed_fakes(), b.fixed_fakes())
    c = make(seed=6)
    c.train(20)
    assert not np.array_equal(a.fixed_fakes(), c.fixed_fakes())


@pytest.mark.parametrize("loss", LOSSES)
def test_every_loss_trains_and_reports_finite_values(loss):
    t = make(loss=loss, optimizer="adam", d_lr=0.001, g_lr=0.001)
    t.train(5)
    stats = t.stats()
    assert all(np.isfinite(stats[k]) for k in ("d_loss", "g_loss", "d_real", "d_fake"))
    assert 0 <= stats["d_real"] <= 1 and 0 <= stats["d_fake"] <= 1
    assert not t.diverged()


def test_slow_motion_walks_the_ten_sub_steps_of_an_epoch_and_trains_like_an_epoch():
    slow, fast = make(seed=3), make(seed=3)
    steps = list(slow.slow_epoch())
    assert [(n, s) for n, s, _ in steps] == [
        (net, stage)
        for net in ("d", "g")
        for stage in ("sample", "classify", "loss", "gradients", "update")
    ]
    fast.train_epoch()
    assert slow.epoch == fast.epoch == 1
    np.testing.assert_allclose(slow.fixed_fakes(), fast.fixed_fakes(), atol=1e-6)
    values = dict(((n, s), v) for n, s, v in steps)
    assert values[("d", "loss")]["loss"] > 0
    assert values[("g", "gradients")]["grad_norm"] > 0


def test_live_changes_apply_to_the_running_optimizers():
    t = make()
    t.set_live(d_lr=0.5, g_lr=0.25)
    assert (t.opt_d.lr, t.opt_g.lr) == (0.5, 0.25)
    t.set_live(optimizer="sgd")
    assert isinstance(t.opt_d, optim.SGD) and t.opt_d.lr == 0.5
    with pytest.raises(UserError):
        t.set_live(g_neurons=3)


@pytest.mark.parametrize("activation", ["tanh", "leaky_relu"])
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
@pytest.mark.parametrize("loss", ["nonsat", "least_squares", "hinge"])
def test_a_learning_rate_of_10_blows_up_and_is_detected(optimizer, loss, activation):
    t = make(optimizer=optimizer, loss=loss, d_lr=10.0, g_lr=10.0, activation=activation)
    saved = t.weights()
    t.train(50)
    assert t.diverged()
    t.set_weights(saved)
    assert not t.diverged()


def test_healthy_training_is_not_flagged_as_diverged():
    t = make(d_lr=0.01, g_lr=0.01)
    for _ in range(10):
        t.train(100)
        assert not t.diverged()


def test_checkpoint_round_trip_restores_the_generator():
    t = make(dataset="spiral", g_layers=3, noise_dim=3)
    t.data = datasets.builtin("spiral")
    t.train(10)
    buffer = io.BytesIO()
    t.save(buffer)
    back = Trainer.load(buffer.getvalue())
    assert back.cfg == t.cfg and back.epoch == 10
    z = torch.randn(7, 3)
    torch.testing.assert_close(back.G(z), t.G(z))


def test_a_drawing_travels_inside_the_checkpoint():
    drawn = datasets.from_strokes([[(0, 0), (50, 80), (100, 0)]])
    t = Trainer(GanConfig(dataset="drawn"), drawn)
    buffer = io.BytesIO()
    t.save(buffer)
    back = Trainer.load(buffer.getvalue())
    np.testing.assert_array_equal(back.data.points, drawn.points)


def test_a_checkpoint_with_wrong_shapes_is_refused():
    t = make()
    buffer = io.BytesIO()
    t.save(buffer)

    tensors, meta = checkpoint.load(buffer.getvalue())
    meta["config"]["g_neurons"] = 16
    with pytest.raises(UserError) as err:
        Trainer.load(checkpoint.dumps(tensors, meta))
    assert err.value.key == "gan.err_checkpoint_shape"
    meta["kind"] = "something else"
    with pytest.raises(UserError) as err:
        Trainer.load(checkpoint.dumps(tensors, meta))
    assert err.value.key == "gan.err_not_gan_checkpoint"


def test_the_default_setup_learns_the_ring():
    t = make()
    ev = Evaluator(RING)
    before = ev(t.generate(20_000))["js"]
    t.train(2500)
    after = ev(t.generate(20_000))["js"]
    assert before > 0.7
    assert after < 0.45
    radius = np.linalg.norm(t.generate(5000), axis=1)
    assert abs(np.median(radius) - 0.7) < 0.1


def test_the_default_fake_ring_is_about_as_thick_as_the_real_one():
    # a Leaky ReLU discriminator made the generator squeeze the ring to half its thickness,
    # which kept grid JS above 0.15 bits however long it trained
    t = make()
    t.train(3000)
    fake = np.linalg.norm(t.generate(20_000), axis=1)
    real = np.linalg.norm(RING.sample(20_000, seed=1), axis=1)
    spread = np.subtract(*np.percentile(fake, [90, 10])) / np.subtract(
        *np.percentile(real, [90, 10])
    )
    assert 0.7 < spread < 1.5


def test_every_checkpoint_size_loads_back():
    # some header lengths make a safetensors file start with 0x80, like a pickle
    for neurons in range(1, 40):
        t = make(g_neurons=neurons, seed=neurons)
        buffer = io.BytesIO()
        t.save(buffer)
        assert Trainer.load(buffer.getvalue()).cfg.g_neurons == neurons
