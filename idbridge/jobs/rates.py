"""The moving window a job's rate (and so its time left) is measured over."""

from datetime import timedelta


def rate_samples_keep(samples: list[tuple], now, width: float) -> list[tuple]:
    """The (at, done) samples a moving window of ``width`` seconds ending ``now`` needs.
    Once the job is older than the window, it starts exactly ``width`` seconds back: at a
    point between the two samples around that time (at their pace), so the window moves
    on even when writes are far apart (a commit job looked at every few seconds by a new
    task, which knows only the stored window start and the last write).

    >>> from datetime import datetime, timedelta
    >>> t = datetime(2026, 12, 3, 18, 0, 0)
    >>> s = [(t + timedelta(seconds=i), i * 5) for i in range(0, 40, 2)]
    >>> kept = rate_samples_keep(s, t + timedelta(seconds=41), 20)
    >>> kept[0], len(kept)
    ((datetime.datetime(2026, 12, 3, 18, 0, 21), 105), 10)
    """
    start = now - timedelta(seconds=width)
    before = [i for i, (at, _) in enumerate(samples) if at <= start]
    if not before:
        return list(samples)
    kept = samples[before[-1] :]
    if len(kept) > 1:  # a pause longer than the window keeps its last sample as is
        (first_at, first_done), (next_at, next_done) = kept[0], kept[1]
        share = (start - first_at) / (next_at - first_at)
        kept[0] = (start, first_done + round((next_done - first_done) * share))
    return kept
