"""The hand-off between pipeline threads: blocking for files, drop-oldest for live sources."""

import queue
import threading

import numpy as np
import pytest

from cer_live.messages import Frame, StatusEvent
from cer_live.run.queues import FrameQueue


def frame(i: int) -> Frame:
    return Frame(i, 0.0, 0.0, np.zeros((2, 2, 3), np.uint8), f"f{i}")


def event(kind: str) -> StatusEvent:
    return StatusEvent(kind, "cam", 0.0, "")


def test_items_come_out_in_order_and_get_times_out_when_empty():
    q = FrameQueue(3)
    stop = threading.Event()
    for i in range(3):
        assert q.put(frame(i), stop)
    assert [q.get(timeout=0.1).frame_id for _ in range(3)] == [0, 1, 2]
    with pytest.raises(queue.Empty):
        q.get(timeout=0.05)


def test_put_blocks_when_full_and_gives_up_when_asked_to_stop():
    q = FrameQueue(1)
    stop = threading.Event()
    assert q.put(frame(0), stop)
    threading.Timer(0.2, stop.set).start()
    assert q.put(frame(1), stop, poll_s=0.02) is False  # nothing was queued
    assert len(q) == 1 and q.dropped == 0


def test_a_blocked_put_goes_through_once_there_is_room():
    q = FrameQueue(1)
    stop = threading.Event()
    q.put(frame(0), stop)
    threading.Timer(0.1, lambda: q.get(timeout=1)).start()
    assert q.put(frame(1), stop, poll_s=0.02)
    assert q.get(timeout=1).frame_id == 1


def test_latest_drops_the_oldest_frame_never_an_event():
    q = FrameQueue(3)
    stop = threading.Event()
    q.put(event("lost"), stop)
    q.put_latest(frame(0))
    q.put_latest(frame(1))
    q.put_latest(frame(2))  # full: frame 0 goes, the event stays
    q.put_latest(frame(3))  # frame 1 goes
    items = [q.get(timeout=0.1) for _ in range(3)]
    assert isinstance(items[0], StatusEvent) and [i.frame_id for i in items[1:]] == [2, 3]
    assert q.dropped == 2


def test_each_frame_carries_every_drop_so_far_including_its_own():
    q = FrameQueue(2)
    stamped = [q.put_latest(frame(i)) for i in range(6)]
    assert [f.dropped for f in stamped] == [0, 0, 1, 2, 3, 4]
    last = [q.get(timeout=0.1) for _ in range(2)][-1]
    assert last.dropped == q.dropped  # the last row written says what the summary says


def test_a_queue_of_events_only_is_never_thinned():
    q = FrameQueue(1)
    q.put(event("lost"), threading.Event())
    q.put_latest(frame(0))  # no frame to drop: the queue grows by one rather than lose an event
    assert len(q) == 2 and q.dropped == 0
