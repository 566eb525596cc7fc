"""Sets of grid indices of a parameter, kept as sorted disjoint ranges.

A parameter such as length 800-3000 mm in steps of 10 has 221 values; what remains
possible is almost always a handful of ranges, so sets of values are stored and combined
as ranges, never value by value.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = ["GridSet"]


@dataclass(frozen=True, slots=True)
class GridSet:
    """Indices in `ranges`: sorted, disjoint, non-adjacent inclusive (low, high) pairs."""

    ranges: tuple[tuple[int, int], ...] = ()

    @staticmethod
    def span(low: int, high: int) -> GridSet:
        return GridSet(((low, high),)) if low <= high else GridSet()

    @staticmethod
    def of(indices: Iterable[int]) -> GridSet:
        ranges: list[tuple[int, int]] = []
        for index in sorted(set(indices)):
            if ranges and ranges[-1][1] + 1 == index:
                ranges[-1] = (ranges[-1][0], index)
            else:
                ranges.append((index, index))
        return GridSet(tuple(ranges))

    def __bool__(self) -> bool:
        return bool(self.ranges)

    def __len__(self) -> int:
        return sum(high - low + 1 for low, high in self.ranges)

    def __iter__(self) -> Iterator[int]:
        for low, high in self.ranges:
            yield from range(low, high + 1)

    def __contains__(self, index: object) -> bool:
        return isinstance(index, int) and any(low <= index <= high for low, high in self.ranges)

    def union(self, other: GridSet) -> GridSet:
        merged: list[tuple[int, int]] = []
        for low, high in sorted(self.ranges + other.ranges):
            if merged and low <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], high))
            else:
                merged.append((low, high))
        return GridSet(tuple(merged))

    def intersection(self, other: GridSet) -> GridSet:
        found: list[tuple[int, int]] = []
        i = j = 0
        while i < len(self.ranges) and j < len(other.ranges):
            low = max(self.ranges[i][0], other.ranges[j][0])
            high = min(self.ranges[i][1], other.ranges[j][1])
            if low <= high:
                found.append((low, high))
            if self.ranges[i][1] < other.ranges[j][1]:
                i += 1
            else:
                j += 1
        return GridSet(tuple(found))

    def without(self, other: GridSet) -> GridSet:
        return self.intersection(other.complement(self.bounds()))

    def complement(self, within: tuple[int, int]) -> GridSet:
        """Indices of [low, high] not in this set."""
        low, high = within
        found: list[tuple[int, int]] = []
        cursor = low
        for start, end in self.ranges:
            if start > cursor:
                found.append((cursor, min(start - 1, high)))
            cursor = max(cursor, end + 1)
        if cursor <= high:
            found.append((cursor, high))
        return GridSet(tuple(r for r in found if r[0] <= r[1]))

    def bounds(self) -> tuple[int, int]:
        if not self.ranges:
            return (0, -1)
        return (self.ranges[0][0], self.ranges[-1][1])
