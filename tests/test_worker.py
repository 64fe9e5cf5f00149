"""The worker's baton: one run computes at a time, and the turns go round."""

import threading
import time

from genlab.worker import Baton


def test_runs_take_turns_round_robin_and_never_compute_together():
    baton, order, inside = Baton(), [], []
    started = threading.Barrier(3)

    def run(name: str) -> None:
        started.wait()
        baton.take(name)
        time.sleep(0.05)  # the others queue up behind the first
        for _ in range(4):
            inside.append(name)
            assert len(inside) == 1, "two runs computed at once"
            order.append(name)
            time.sleep(0.002)
            inside.pop()
            baton.pass_on(name)
        baton.give(name)

    threads = [threading.Thread(target=run, args=(n,)) for n in "abc"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(order) == 12
    rounds = [order[i : i + 3] for i in range(0, 12, 3)]
    assert all(sorted(r) == ["a", "b", "c"] for r in rounds), order


def test_alone_a_run_keeps_the_baton_without_waiting():
    baton = Baton()
    baton.take("a")
    baton.pass_on("a")  # nobody waits: returns at once, still the holder
    got = []
    other = threading.Thread(target=lambda: (baton.take("b"), got.append("b")))
    other.start()
    other.join(0.2)
    assert got == []  # "a" still holds it
    baton.give("a")
    other.join(5)
    assert got == ["b"]


def test_a_new_run_takes_its_first_turn_before_the_runs_waiting():
    """Play shows the first epochs at once: a run's first turn comes before the queue's."""
    baton, order = Baton(), []
    baton.take("a")

    def run(name: str, first: bool = False) -> None:
        baton.take(name, first=first)
        order.append(name)
        baton.give(name)

    threads = []
    for name, first in (("b", False), ("c", False), ("new", True)):
        threads.append(threading.Thread(target=run, args=(name, first)))
        threads[-1].start()
        time.sleep(0.05)  # queued in this order
    baton.give("a")
    for thread in threads:
        thread.join(5)
    assert order == ["new", "b", "c"]
