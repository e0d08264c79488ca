"""A client's slots: held across processes, and their lock files gone once let go."""

import multiprocessing
from pathlib import Path

import pytest

from govkg.web.serve.client_slots import ClientSlots, NoSlotFree


def test_lock_files_are_deleted_when_let_go(tmp_path: Path):
    slots = ClientSlots(tmp_path, 2)
    with slots.hold("a"), slots.hold("a"):
        assert len(list(tmp_path.iterdir())) == 2
        assert not slots.has_free("a")
        with pytest.raises(NoSlotFree), slots.hold("a"):
            pass
    assert list(tmp_path.iterdir()) == []
    assert slots.has_free("a")
    assert list(tmp_path.iterdir()) == []  # asking leaves nothing either


def hold_and_report(directory: Path, holding, release) -> None:
    with ClientSlots(directory, 1).hold("a"):
        holding.set()
        release.wait(10)


def test_a_slot_held_in_another_process_is_not_free(tmp_path: Path):
    holding, release = multiprocessing.Event(), multiprocessing.Event()
    other = multiprocessing.Process(target=hold_and_report, args=(tmp_path, holding, release))
    other.start()
    try:
        assert holding.wait(30)
        slots = ClientSlots(tmp_path, 1)
        assert not slots.has_free("a")
        with pytest.raises(NoSlotFree), slots.hold("a"):
            pass
    finally:
        release.set()
        other.join(30)
    assert ClientSlots(tmp_path, 1).has_free("a")
    assert list(tmp_path.iterdir()) == []
