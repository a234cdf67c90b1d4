"""Call detail records (Dinstar): the calls a gateway's ports made and received.

The model and the `CallRecordFeature` interface are shared so callers read call history without knowing the
vendor: `Gateway.call_records` is a `CallRecordFeature` exactly when the gateway has `Capability.CDR`, else
None. Answer parsing stays in the dialect (`dinstar/parse.py`, also used for the pushed records).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .ports import SlotRef


@dataclass(frozen=True, slots=True, kw_only=True)
class CallDetailRecord:
    """One call. Phone numbers are kept out of `repr`."""

    port_label: str
    ref: SlotRef | None
    start_date: datetime | None = None
    answer_date: datetime | None = None
    duration: int | None = None  # seconds
    source_number: str | None = field(default=None, repr=False)
    destination_number: str | None = field(default=None, repr=False)
    direction: str | None = None  # gsm->ip, ip->gsm, callback
    ip: str | None = None
    codec: str | None = None
    hangup: str | None = None  # called, calling, gateway
    gsm_code: int | None = None
    bcch: str | None = None


class CallRecordFeature(ABC):
    """Reading the call history a gateway keeps."""

    @abstractmethod
    async def get(
        self,
        *,
        ports: Sequence[SlotRef] = (),
        time_after: datetime | None = None,
        time_before: datetime | None = None,
    ) -> list[CallDetailRecord]:
        """Records of some ports (all when empty) in a time window; naive times are the device's local time."""
