"""A small SIM Toolkit menu per simulated port.

A main menu, a display screen, a sub-menu, a yes/no question and a digits input, so every `GetSTKView` input
type a client has to handle shows up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DISPLAY, MENU, SELECT_ITEM, YES_NO, DIGITS, LOCKED = 0, 1, 2, 3, 8, 12


@dataclass(frozen=True)
class Screen:
    """One STK screen. `items` are (item id, label, next screen); `on_ok` is the screen after "ok"."""

    title: str
    text: str
    input_type: int
    items: tuple[tuple[int, str, str], ...] = ()
    on_ok: str | None = None


SCREENS: dict[str, Screen] = {
    "root": Screen(
        "SIM Services", "", MENU, ((1, "Balance", "balance"), (2, "Services", "services"), (3, "Help", "help"))
    ),
    "balance": Screen("Balance", "Your balance is {balance}", DISPLAY),
    "services": Screen("Services", "Choose a service", SELECT_ITEM, ((1, "Data 1 GB", "data"), (2, "Top up", "topup"))),
    "data": Screen("Data 1 GB", "Activate 1 GB for 5.00?", YES_NO, on_ok="data_done"),
    "data_done": Screen("Data 1 GB", "Activated", DISPLAY),
    "topup": Screen("Top up", "Enter the voucher code", DIGITS, on_ok="topup_done"),
    "topup_done": Screen("Top up", "Voucher {param} accepted", DISPLAY),
    "help": Screen("Help", "Call 123 for help", DISPLAY),
}


@dataclass
class StkSession:
    """Where one port's STK menu is."""

    path: list[str] = field(default_factory=lambda: ["root"])
    frame_id: int = 1
    param: str = ""

    @property
    def screen(self) -> Screen:
        """The screen shown now."""
        return SCREENS[self.path[-1]]

    def view(self, *, balance: str, available: bool) -> dict[str, Any]:
        """The `GetSTKView` answer (input_type as a string, as in the spec's example)."""
        if not available:
            return {"title": "", "text": "", "input_type": str(LOCKED), "frame_id": self.frame_id}
        screen = self.screen
        answer: dict[str, Any] = {
            "title": screen.title,
            "text": screen.text.format(balance=balance, param=self.param),
            "input_type": str(screen.input_type),
            "frame_id": self.frame_id,
        }
        if screen.input_type in {MENU, SELECT_ITEM}:
            answer["item"] = [{"item_id": item_id, "item_string": label} for item_id, label, _ in screen.items]
        return answer

    def _go(self, key: str) -> None:
        self.path.append(key)
        self.frame_id += 1

    def select(self, item_id: int) -> bool:
        """Choose an item of the current menu; False when there is no such item."""
        for candidate, _label, target in self.screen.items:
            if candidate == item_id:
                self._go(target)
                return True
        return False

    def ok(self, param: str) -> bool:
        """Confirm the current screen; False when a digits input gets something else."""
        screen = self.screen
        if screen.input_type == DIGITS and not param.isdigit():
            return False
        self.param = param
        if screen.on_ok is not None:
            self._go(screen.on_ok)
        return True

    def cancel(self) -> None:
        """One screen back."""
        if len(self.path) > 1:
            self.path.pop()
            self.frame_id += 1

    def home(self) -> None:
        """Back to the main menu."""
        self.path = ["root"]
        self.frame_id += 1
