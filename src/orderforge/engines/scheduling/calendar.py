"""Working time of one resource: where an operation may start and where it then ends.

Interruptible operations are handled with a "working-time axis": if G(i) is the closed
time before working interval i, an operation starting in interval k and ending in interval
m satisfies end - G(m) == start - G(k) + duration. The CP-SAT model uses the same identity
with element constraints, so both backends agree on what "stretching over a break" means.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence


class WorkingTime:
    """Sorted, merged working intervals clipped to [0, horizon)."""

    __slots__ = ("cum_end", "ends", "gap_before", "horizon", "starts", "total")

    def __init__(self, calendar: Sequence[tuple[int, int]] | None, horizon: int) -> None:
        raw = [(0, horizon)] if calendar is None else sorted(calendar)
        self.horizon = horizon
        self.starts: list[int] = []
        self.ends: list[int] = []
        for start, end in raw:
            start, end = max(start, 0), min(end, horizon)
            if end <= start:
                continue
            if self.ends and start <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], end)
            else:
                self.starts.append(start)
                self.ends.append(end)
        self.gap_before: list[int] = []
        self.cum_end: list[int] = []
        worked = 0
        for start, end in zip(self.starts, self.ends, strict=True):
            self.gap_before.append(start - worked)
            worked += end - start
            self.cum_end.append(worked)
        self.total = worked

    @property
    def continuous(self) -> bool:
        """True when there is at most one working interval, so breaks never matter."""
        return len(self.starts) <= 1

    @property
    def always_open(self) -> bool:
        """Open from minute 0 to the horizon: time is plain arithmetic, no window to respect."""
        return self.starts == [0] and self.ends == [self.horizon]

    def earliest(self, t: int, duration: int, interruptible: bool) -> tuple[int, int] | None:
        """Earliest (start, end) with start >= t, or None if it cannot fit before the horizon."""
        k = bisect_right(self.ends, t)
        if k >= len(self.starts):
            return None
        if interruptible:
            start = max(t, self.starts[k])
            end = self.stretch(start, duration, k)
            return None if end is None else (start, end)
        for i in range(k, len(self.starts)):
            start = max(t, self.starts[i])
            if start + duration <= self.ends[i]:
                return start, start + duration
        return None

    def stretch(self, start: int, duration: int, k: int | None = None) -> int | None:
        """End of an interruptible operation starting at `start` (a working minute)."""
        if k is None:
            k = bisect_right(self.ends, start)
        target = (start - self.gap_before[k]) + duration
        m = bisect_left(self.cum_end, target, lo=k)
        if m >= len(self.starts):
            return None
        return target + self.gap_before[m]

    def working_minutes(self, start: int, end: int) -> int:
        """Working minutes inside [start, end), used to check interruptible durations."""
        total = 0
        i = max(bisect_right(self.ends, start), 0)
        while i < len(self.starts) and self.starts[i] < end:
            total += max(0, min(end, self.ends[i]) - max(start, self.starts[i]))
            i += 1
        return total

    def interval_index(self, minute: int) -> int | None:
        """Index of the working interval containing `minute`, or None if it is closed time."""
        i = bisect_right(self.starts, minute) - 1
        if i >= 0 and minute < self.ends[i]:
            return i
        return None

    def windows(self, lo: int, hi: int) -> list[int]:
        """Indices of working intervals overlapping [lo, hi)."""
        first = bisect_right(self.ends, lo)
        last = bisect_left(self.starts, hi)
        return list(range(first, last))
