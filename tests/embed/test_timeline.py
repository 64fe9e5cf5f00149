"""The training timeline: Procrustes alignment removes spins, so only learning moves the map."""

import numpy as np
import pytest
from scipy.stats import ortho_group

from genlab.embed import timeline
from genlab.errors import UserError


def test_a_rotated_and_shifted_copy_aligns_exactly_onto_the_final_frame():
    rng = np.random.default_rng(0)
    final = rng.normal(0, 1, (100, 8))
    spun = final @ ortho_group.rvs(8, random_state=1) + 3.0
    line = timeline.build([(10, spun), (20, final)], dims=2)
    np.testing.assert_allclose(line.frames[0], line.frames[1], atol=1e-5)
    assert line.drift[1] < 1e-5


def test_frames_follow_the_steps_in_order_and_drift_shows_learning():
    rng = np.random.default_rng(2)
    final = rng.normal(0, 1, (60, 6))
    noise = rng.normal(0, 1, (60, 6))
    snaps = [(200, final), (0, noise), (100, 0.5 * (noise + final))]
    line = timeline.build(snaps, dims=3)
    assert line.steps == [0, 100, 200]
    assert [f.shape for f in line.frames] == [(60, 3)] * 3
    assert line.drift[0] == 0 and line.drift[1] > 0.1 and line.drift[2] > 0.1


def test_the_last_frame_is_the_final_pca_of_the_trained_vectors():
    rng = np.random.default_rng(3)
    final = rng.normal(0, 1, (80, 5)) * np.array([5, 2, 1, 1, 1])
    line = timeline.build([(0, rng.normal(0, 1, (80, 5))), (1, final)], dims=2)
    spread = line.frames[-1].var(axis=0)
    assert spread[0] > spread[1]


def test_mismatched_or_missing_snapshots_are_refused():
    with pytest.raises(UserError) as err:
        timeline.build([(0, np.ones((3, 2))), (1, np.ones((4, 2)))])
    assert err.value.key == "embed.err_timeline_shapes"
    with pytest.raises(UserError) as err:
        timeline.build([])
    assert err.value.key == "embed.err_no_timeline"
