"""Synway-specific results the Home Assistant layer can use beyond the common `Gateway` interface.

Phone numbers, SIM numbers, texts and USSD replies are kept out of `repr`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from ..ports import SlotRef


class SynwayInfoType(StrEnum):
    """What `getwirelessinfo` can read, with the spelling the spec uses on the wire."""

    PORT_TYPE = "porttype"
    ICCID = "ICCID"
    IMEI = "IMEI"
    IMSI = "IMSI"
    PHONE_NUMBER = "PhoneNo"


@dataclass(frozen=True, slots=True, kw_only=True)
class SynwaySendEntry:
    """One recipient of a send task (`querytxsms`)."""

    port_label: str  # `1A`, or the raw port token when it is no port (the task has not picked one yet)
    ref: SlotRef | None
    recipient: str = field(repr=False)
    status: int  # SendStatus code: 0 none, 1 wait, 2 sending, 3 sent, 4 failed, 5 timeout
    status_text: str
    final: bool  # sent, failed or timed out: the status will not change any more

    @property
    def sent(self) -> bool:
        """True when the gateway sent the message to this recipient."""
        return self.status == 3


@dataclass(frozen=True, slots=True, kw_only=True)
class SynwaySendTask:
    """A send task and its recipients. `user_id` is the `userid` the client sent with `txsms`."""

    task_id: str
    user_id: str | None
    count: int | None
    entries: tuple[SynwaySendEntry, ...]

    @property
    def finished(self) -> bool:
        """True when every recipient has a final status."""
        return bool(self.entries) and all(entry.final for entry in self.entries)


@dataclass(frozen=True, slots=True, kw_only=True)
class SynwayUssdRecord:
    """One USSD exchange (`rxussd`). `reply` is None while the network has not answered (`NULL`)."""

    port_label: str
    ref: SlotRef | None
    order: int  # the device's sequence number, used by `delete_ussd`
    at: datetime  # time-zone aware
    code: str = field(repr=False)
    sent: bool
    reply: str | None = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class SynwayReceipt:
    """A delivery receipt (`querytxsmsrpt`): True delivered, None no receipt yet, False anything else."""

    delivered: bool | None
    text: str  # the device's own word, shown next to the state
