"""Storage of the exactly-once ledgers (the inbox, the reports): written as soon as events fired.

Why at once and not after the usual delay: the ledgers record which events fired, and an event is on the bus before
its record is on disk. A hard kill (SIGKILL, power loss) re-fires what the disk does not know yet, so the window is
one write in flight instead of a second; a crash loop never re-fires what an earlier start delivered. Store coalesces:
a burst of events shares one write, and at most one write waits behind the one in progress. Writing the record
*before* its event fires would lose the event on a kill between the two.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .const import DOMAIN

STORAGE_VERSION = 1


class LedgerStore:
    """One entry's ledger file (`gsm_gateway.<entry id>.<name>`), saved from `data` whenever the ledger changed."""

    def __init__(self, hass: HomeAssistant, entry_id: str, name: str, data: Callable[[], dict[str, Any]]) -> None:
        """`data` returns what to write; it is called when the write happens, so a burst is written once."""
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.{name}")
        self._data = data
        self._scheduled = False

    def _data_now(self) -> dict[str, Any]:
        self._scheduled = False
        return self._data()

    async def async_load(self) -> dict[str, Any] | None:
        """What was written last, or None the first time."""
        return await self._store.async_load()

    @callback
    def async_changed(self) -> None:
        """The ledger changed: write it as soon as possible (later changes before the write join it)."""
        if not self._scheduled:
            self._scheduled = True
            self._store.async_delay_save(self._data_now)

    async def async_save_now(self) -> None:
        """Write at once and wait for it (unload)."""
        await self._store.async_save(self._data_now())

    async def async_remove(self) -> None:
        """Delete the file (entry removed)."""
        await self._store.async_remove()
