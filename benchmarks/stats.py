"""Timing samples and the figures reported from them (median, p95, p99, ratio to a floor)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
import math
import statistics
import time


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (`fraction` 0.95 for p95): a value that was really measured."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Samples:
    """Durations in seconds of one kind of operation."""

    name: str
    values: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        """Record one duration."""
        self.values.append(seconds)

    @property
    def median(self) -> float:
        """Middle value."""
        return statistics.median(self.values) if self.values else math.nan

    @property
    def p95(self) -> float:
        """95th percentile."""
        return percentile(self.values, 0.95)

    @property
    def p99(self) -> float:
        """99th percentile."""
        return percentile(self.values, 0.99)

    @property
    def total(self) -> float:
        """Sum of all durations."""
        return math.fsum(self.values)


async def timed(operation: Callable[[], Awaitable[object]]) -> float:
    """Seconds `operation` took (monotonic, high resolution)."""
    start = time.perf_counter()
    await operation()
    return time.perf_counter() - start


def timed_sync(operation: Callable[[], object]) -> float:
    """Seconds a synchronous `operation` took."""
    start = time.perf_counter()
    operation()
    return time.perf_counter() - start


def ratio(measured: float, floor: float) -> float:
    """How many floors `measured` costs."""
    return measured / floor if floor > 0 else math.inf


def ms(seconds: float) -> str:
    """Seconds shown as milliseconds with sensible precision."""
    value = seconds * 1000
    if value >= 100:
        return f"{value:.0f} ms"
    if value >= 10:
        return f"{value:.1f} ms"
    return f"{value:.2f} ms"
