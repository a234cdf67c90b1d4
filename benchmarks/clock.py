"""A fast clock for Home Assistant's timers, while real I/O keeps running at real speed.

Polls, catch-ups and other timers Home Assistant schedules (they carry a `HassJob`) are run `speed` times sooner
than their real due time, each one at its own virtual due time, so a 30-second poll and a 2-minute catch-up keep
their proportions. Everything else on the loop (HTTP timeouts, the simulators' own timers, storage's delayed
writes) runs in real time: freezing or jumping the whole clock would fire request timeouts early.
"""

from __future__ import annotations

import asyncio
import contextlib

from homeassistant.core import HomeAssistant

from .harness import belongs_to, scheduled_timers


class FastClock:
    """Runs Home Assistant's timers early; follow a new instance after a restart with `attach()`."""

    def __init__(self, speed: float, tick: float = 0.05) -> None:
        """`speed` virtual seconds pass per real second; timers are checked every `tick` real seconds."""
        self.speed = speed
        self.tick = tick
        self.virtual = 0.0
        self.fired = 0
        self._hass: HomeAssistant | None = None
        self._due: dict[int, tuple[asyncio.TimerHandle, float]] = {}
        self._task: asyncio.Task[None] | None = None

    def attach(self, hass: HomeAssistant | None) -> None:
        """Drive this instance's timers (None while Home Assistant is stopped)."""
        self._hass = hass
        self._due.clear()

    def start(self) -> None:
        """Start ticking."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="fast clock")

    async def stop(self) -> None:
        """Stop ticking."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(self.tick)
            now = loop.time()
            self.virtual += (now - last) * self.speed
            last = now
            self.fire_due()

    def fire_due(self) -> None:
        """Run every Home Assistant timer whose virtual due time has come."""
        hass = self._hass
        if hass is None:
            return
        loop = hass.loop
        now = loop.time()
        seen: set[int] = set()
        for handle in scheduled_timers(loop):
            if handle.cancelled() or not belongs_to(handle, hass):
                continue
            key = id(handle)
            seen.add(key)
            known = self._due.get(key)
            if known is None or known[0] is not handle:
                # First sight: what is left of its real delay is its virtual delay.
                self._due[key] = known = (handle, self.virtual + max(0.0, handle.when() - now))
            if self.virtual >= known[1]:
                handle._run()  # noqa: SLF001
                handle.cancel()
                self.fired += 1
        for key in set(self._due) - seen:
            del self._due[key]
