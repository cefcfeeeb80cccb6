"""fewer_collections(): the collector's threshold is raised only while a batch runs, and always restored."""

from __future__ import annotations

import gc
import threading

import pytest

from kpixl.gcscope import FEWER_COLLECTIONS_THRESHOLD, fewer_collections, with_fewer_collections


@pytest.fixture(autouse=True)
def default_threshold():
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def test_the_threshold_is_raised_inside_and_restored_after() -> None:
    with fewer_collections():
        assert gc.get_threshold() == (FEWER_COLLECTIONS_THRESHOLD, 10, 10)
        with fewer_collections():  # nested: still raised, and the inner exit does not restore early
            pass
        assert gc.get_threshold()[0] == FEWER_COLLECTIONS_THRESHOLD
    assert gc.get_threshold() == (700, 10, 10)


def test_the_threshold_is_restored_when_the_batch_raises() -> None:
    @with_fewer_collections
    def failing() -> None:
        assert gc.get_threshold()[0] == FEWER_COLLECTIONS_THRESHOLD
        raise ValueError("bad return")

    with pytest.raises(ValueError):
        failing()
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.parametrize("own", [(0, 10, 10), (200_000, 5, 5)])
def test_a_caller_that_turned_collection_off_or_higher_keeps_its_setting(own: tuple[int, int, int]) -> None:
    gc.set_threshold(*own)
    with fewer_collections():
        assert gc.get_threshold() == own
    assert gc.get_threshold() == own


def test_two_threads_in_batches_at_once_leave_the_default_behind() -> None:
    inside, release = threading.Barrier(3), threading.Event()

    def batch() -> None:
        with fewer_collections():
            inside.wait()
            release.wait()

    threads = [threading.Thread(target=batch) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait()
    assert gc.get_threshold()[0] == FEWER_COLLECTIONS_THRESHOLD
    release.set()
    for t in threads:
        t.join()
    assert gc.get_threshold() == (700, 10, 10)
