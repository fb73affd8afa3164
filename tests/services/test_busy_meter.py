"""When a process asks the article pages to slow their heartbeats (app/services/share.py, BusyMeter): after a whole
second in which a tenth or more of its heartbeats (twenty or more) queued before the app, for BUSY_HOLD_SECONDS."""

from app.services.share import BUSY_HOLD_SECONDS, BUSY_MIN, BusyMeter, queued_ms

T = 1_800_000_000.0  # the start of a second


def _second(meter: BusyMeter, start: float, beats: int, queued: int) -> bool:
    """`beats` heartbeats spread over the second from `start`, the first `queued` of them queued; the last answer."""
    busy = False
    for n in range(beats):
        busy = meter.note(start + n / (beats + 1), n < queued)
    return busy


def test_a_second_with_a_tenth_queued_makes_the_next_ones_busy():
    meter = BusyMeter()
    assert not _second(meter, T, 100, 10)  # counted; decided when the next second begins
    assert meter.note(T + 1, False)
    assert meter.note(T + BUSY_HOLD_SECONDS + 0.5, False)  # still within the hold (it began at T + 1)
    assert not meter.note(T + BUSY_HOLD_SECONDS + 1.5, False)


def test_a_few_slow_heartbeats_at_ordinary_load_change_nothing():
    meter = BusyMeter()
    assert not _second(meter, T, 100, 9)  # under a tenth
    assert not meter.note(T + 1, False)
    assert not _second(meter, T + 2, BUSY_MIN - 1, BUSY_MIN - 1)  # every one queued, but too few to judge
    assert not meter.note(T + 3, False)


def test_a_second_is_judged_only_by_the_next_one():
    meter = BusyMeter()
    _second(meter, T, 100, 100)
    assert not meter.note(T + 5, False)  # a gap: that second is not the last whole one


def test_the_proxys_header_is_read_or_ignored():
    now = T + 0.25
    assert queued_ms(f"t={T:.3f}", now) == 250
    assert queued_ms(f"{T:.3f}", now) == 250
    for nonsense in ("", "t=", "t=abc", "t=nan", "t=inf", "t=-inf", f"t={T + 1:.3f}", f"t={T - 3600:.3f}"):
        assert queued_ms(nonsense, now) == 0, nonsense
