"""The SIM Toolkit (STK) menu of a port's SIM (Dinstar): operator services such as balance or bundle booking.

The models and the `SimToolkitFeature` interface are shared so callers drive the menu without knowing the
vendor: `Gateway.sim_toolkit` is a `SimToolkitFeature` exactly when the gateway has `Capability.STK`, else
None. Answer parsing and requests stay in the dialect (`dinstar/sim_toolkit.py`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import IntEnum

from .ports import SlotRef


class StkInputType(IntEnum):
    """What an STK screen expects."""

    DISPLAY = 0
    MENU = 1  # the spec's "desktop"
    SELECT_ITEM = 2
    YES_NO = 3
    DIGIT = 4
    CHARACTER = 5
    DIGITS = 8
    DIGITS_HIDDEN = 9
    CHARACTERS = 10
    CHARACTERS_HIDDEN = 11
    LOCKED = 12


@dataclass(frozen=True, slots=True, kw_only=True)
class StkItem:
    """One choice of an STK menu."""

    item_id: int
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StkView:
    """The STK screen a port shows now."""

    port_label: str
    ref: SlotRef
    title: str
    text: str
    input_type: int  # see `StkInputType`; kept as a number so unknown types survive
    frame_id: int | None
    items: tuple[StkItem, ...] = ()

    @property
    def kind(self) -> StkInputType | None:
        """The input type as an enum, None when it is not one the spec lists."""
        try:
            return StkInputType(self.input_type)
        except ValueError:
            return None


class SimToolkitFeature(ABC):
    """Reading and driving the STK screen of a port. A command changes the screen a moment later."""

    @abstractmethod
    async def view(self, ref: SlotRef) -> StkView:
        """The STK screen a port shows now."""

    @abstractmethod
    async def select(self, ref: SlotRef, item_id: int) -> None:
        """Choose an item of the current STK menu."""

    @abstractmethod
    async def ok(self, ref: SlotRef, param: str | None = None) -> None:
        """Confirm the current STK screen, with the input it asks for (`param`)."""

    @abstractmethod
    async def cancel(self, ref: SlotRef) -> None:
        """Leave the current STK screen."""

    @abstractmethod
    async def home(self, ref: SlotRef) -> None:
        """Go back to the STK main menu."""

    @abstractmethod
    async def frame_id(self, ref: SlotRef) -> int:
        """Id of the STK screen a port shows now (changes when the screen changes)."""
