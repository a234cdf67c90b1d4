"""Call detail records on Dinstar: `DinstarCallRecords`, the `CallRecordFeature` of a Dinstar gateway.

`get_cdr` (POST, GET as fallback) with optional ports and a time window in the device's local time; the records
come under `cdr` (or `info` on some firmware). A 404 drops `Capability.CDR`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ..call_records import CallDetailRecord, CallRecordFeature
from ..models import Capability
from ..ports import SlotRef
from .api import DinstarApi
from .connection import device_time, without_none
from .endpoints import GET_CDR
from .parse import parse_call_records
from .ports import wire_ports


class DinstarCallRecords(CallRecordFeature):
    """The call history of a Dinstar gateway, through the gateway's calls."""

    def __init__(self, api: DinstarApi) -> None:
        """Call the device through `api` (the gateway)."""
        self._api = api

    async def get(
        self,
        *,
        ports: Sequence[SlotRef] = (),
        time_after: datetime | None = None,
        time_before: datetime | None = None,
    ) -> list[CallDetailRecord]:
        """`get_cdr`; aware times are converted to the device's zone before they are sent."""
        params = without_none(
            {
                "port": wire_ports(ports, self._api.port_count),
                "time_after": device_time(time_after, self._api.time_zone),
                "time_before": device_time(time_before, self._api.time_zone),
            }
        )
        obj = await self._api.call(GET_CDR, params, Capability.CDR)
        return parse_call_records(obj, GET_CDR.name, self._api.time_zone)
