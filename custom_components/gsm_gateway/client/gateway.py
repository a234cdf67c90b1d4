"""The one interface every dialect implements, and the Home Assistant layer uses without knowing the vendor.

A dialect overrides what its devices can do and lists it in `capabilities`. Everything else keeps the default
here, which raises `GatewayUnsupportedError`, so callers never get a fake answer.

Larger optional features are objects of their own (`proxy`, `ip_lists`, `esim`, `call_forwarding`,
`call_records`, `sim_toolkit`), each an interface in its own module of this package. The properties here return
None; a dialect returns its feature object exactly when the matching capability is in `capabilities` (which may
change after `connect()`), so callers test for None instead of asking which vendor they talk to.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from datetime import UTC, tzinfo
from enum import StrEnum
from types import TracebackType
from typing import Any, ClassVar, Self

import aiohttp

from .call_forwarding import CallForwardingFeature
from .call_records import CallRecordFeature
from .esim import EsimFeature
from .events import PushEvent, PushRequest
from .exceptions import GatewayUnsupportedError
from .ip_lists import IpListFeature
from .models import (
    CallStatistics,
    CancelResult,
    Capability,
    ConnectionSettings,
    DeliveryReportEvent,
    DeviceInfo,
    GatewayStatus,
    InboxPage,
    IncomingSms,
    MmsRequest,
    RedialMode,
    SendOptions,
    SendReportEvent,
    SendResult,
    SentMessage,
    SetResult,
    SmsRequest,
    SmsStatistics,
    SmsTaskList,
    StatisticsPeriod,
    TaskResult,
    UssdResult,
    Vendor,
)
from .ports import SlotRef
from .proxy import ProxyFeature
from .sim_toolkit import SimToolkitFeature
from .transport import HttpTransport


class ProbeOutcome(StrEnum):
    """What a dialect's probe learned about a host."""

    MATCH = "match"  # this dialect, and the credentials work
    AUTH_FAILED = "auth_failed"  # this dialect (or at least an HTTP-auth gateway) refused the credentials
    NO_MATCH = "no_match"  # not this dialect


class Gateway(ABC):
    """An async client for one gateway.

    `session`: an injected aiohttp session is used and never closed here; with None the client creates its own
    on the first request and closes it in `close()` (or at the end of `async with gateway:`).
    `connect()` must succeed before other calls: it checks the credentials and reads `device`, which several
    calls need (port and slot counts). `time_zone` is the zone the device's clock runs in, for dialects whose
    timestamps carry none.
    """

    vendor: ClassVar[Vendor]
    # Everything this dialect can do, in one place: capability -> None when every device has it, else which devices
    # do (shown in the README). `capabilities` is the subset a connected device has.
    declared_capabilities: ClassVar[Mapping[Capability, str | None]]
    # Whether `settings.encrypted_session` means anything to this dialect (the password then never travels).
    offers_encrypted_session: ClassVar[bool] = False
    # The longest USSD code the device takes, in bytes on the wire (codes are ASCII: `0-9 * # +`, one byte each);
    # None for a dialect without USSD. The integration refuses a longer code before anything is sent.
    max_ussd_bytes: ClassVar[int | None] = None

    def __init__(
        self,
        session: aiohttp.ClientSession | None,
        settings: ConnectionSettings,
        *,
        time_zone: tzinfo = UTC,
    ) -> None:
        """Create a client; no I/O happens until `connect()`."""
        self.settings = settings
        self.time_zone = time_zone
        self.transport = HttpTransport(session, settings)
        self._device: DeviceInfo | None = None

    def __repr__(self) -> str:
        """Show the vendor and host only."""
        return f"<{type(self).__name__} {self.settings.host}:{self.settings.port}>"

    async def close(self) -> None:
        """Close the aiohttp session the client created itself; an injected session is left open."""
        await self.transport.close()

    async def __aenter__(self) -> Self:
        """`async with gateway:` closes the client's own session at the end."""
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        """Close the client's own session."""
        await self.close()

    @property
    def device(self) -> DeviceInfo:
        """Device info read by `connect()` (or refreshed by `get_status()`)."""
        if self._device is None:
            msg = "connect() has not been called"
            raise RuntimeError(msg)
        return self._device

    @property
    @abstractmethod
    def capabilities(self) -> frozenset[Capability]:
        """What this device supports. May depend on what `connect()` learned."""

    # --- Required by every dialect -------------------------------------------------------------------------

    @abstractmethod
    async def probe(self) -> ProbeOutcome:
        """Tell whether the host speaks this dialect, with read-only requests only.

        Rules (the vendor detector calls the dialects' probes in turn: EJOIN, Dinstar, Synway):
        - never change device state (no `goip_get_status.html?url=` or `period=`);
        - send credentials at most once, and only in a request that can tell a bad login apart;
        - a host that answers in another dialect's shape, 404 or HTML is NO_MATCH, not an error;
        - connection failures raise `GatewayConnectionError`.
        """

    @abstractmethod
    async def connect(self) -> DeviceInfo:
        """Check credentials and read device info (read-only requests only)."""

    @abstractmethod
    async def get_status(self) -> GatewayStatus:
        """Read the status of every port and slot, in as few requests as the dialect allows."""

    @abstractmethod
    async def send_sms(self, request: SmsRequest) -> SendResult:
        """Send one text to the recipients, in as few requests as the dialect allows.

        A dialect without `Capability.SEND_OPTIONS` refuses `request.options` (`_refuse_send_options`).
        """

    @abstractmethod
    async def fetch_inbox(self, cursor: Mapping[str, Any] | None, *, limit: int = 100) -> InboxPage:
        """Read received SMS after `cursor` (None: from the start the device still has)."""

    @abstractmethod
    def parse_push(self, request: PushRequest) -> list[PushEvent]:
        """Turn one pushed body into events. Raises `GatewayPushError` and nothing else."""

    # --- Optional features: None unless the dialect has the capability ------------------------------------

    @property
    def proxy(self) -> ProxyFeature | None:
        """The HTTP/SOCKS5 proxies (`Capability.PROXY`), else None."""
        return None

    @property
    def ip_lists(self) -> IpListFeature | None:
        """The device's own IP white- and blacklist (`Capability.IP_LISTS`), else None."""
        return None

    @property
    def esim(self) -> EsimFeature | None:
        """The ports' eSIMs (`Capability.ESIM`), else None."""
        return None

    @property
    def call_forwarding(self) -> CallForwardingFeature | None:
        """Call forwarding of the ports' SIMs (`Capability.CALL_FORWARD`), else None."""
        return None

    @property
    def call_records(self) -> CallRecordFeature | None:
        """Call detail records (`Capability.CDR`), else None."""
        return None

    @property
    def sim_toolkit(self) -> SimToolkitFeature | None:
        """The SIM Toolkit menus of the ports' SIMs (`Capability.STK`), else None."""
        return None

    # --- Optional: default is "unsupported" ---------------------------------------------------------------

    def _unsupported(self, feature: str) -> GatewayUnsupportedError:
        return GatewayUnsupportedError(f"{self.vendor.value} gateways do not support {feature}")

    def _refuse_send_options(self, options: SendOptions) -> None:
        """Options this dialect cannot honour are refused, never silently dropped."""
        if options.given:
            raise self._unsupported(f"send options ({', '.join(options.given)})")

    async def send_mms(self, request: MmsRequest) -> SendResult:
        """Send an MMS (title, text, attachments) to the recipients (`Capability.MMS_SEND`)."""
        raise self._unsupported("sending MMS")

    async def fetch_reports(self, sent: Sequence[SentMessage]) -> list[SendReportEvent | DeliveryReportEvent]:
        """Read back the send results and delivery reports of `sent` that are there now (`REPORT_POLL`).

        Reports carry the `task_id` of the message they answer; what is not there yet is simply left out.
        """
        raise self._unsupported("reading send results back")

    async def delete_inbox(self, messages: Sequence[IncomingSms]) -> None:
        """Delete messages (already delivered to the caller) from the device."""
        raise self._unsupported("deleting received SMS")

    async def send_ussd(self, ref: SlotRef, code: str) -> UssdResult:
        """Send a USSD code from a port. The reply comes back in the result or as a later event."""
        raise self._unsupported("USSD")

    async def fetch_ussd_replies(self, refs: Sequence[SlotRef]) -> dict[str, str]:
        """Read the latest USSD reply per port label (dialects without push replies)."""
        raise self._unsupported("reading USSD replies")

    async def cancel_ussd(self, ref: SlotRef) -> UssdResult:
        """End the USSD session of a port on the device (`USSD_CANCEL`); `accepted` says whether it did."""
        raise self._unsupported("cancelling USSD sessions")

    async def lock(self, refs: Sequence[SlotRef]) -> None:
        """Lock SIM slots (or whole ports)."""
        raise self._unsupported("locking SIMs")

    async def unlock(self, refs: Sequence[SlotRef]) -> None:
        """Unlock SIM slots (or whole ports)."""
        raise self._unsupported("unlocking SIMs")

    async def switch_slot(self, ref: SlotRef) -> None:
        """Make `ref.slot` the active SIM slot of `ref.port`."""
        raise self._unsupported("switching SIM slots")

    async def reset_module(self, ports: Sequence[int]) -> None:
        """Restart the GSM/LTE modules of these ports."""
        raise self._unsupported("resetting modules")

    async def set_module_power(self, port: int, *, on: bool) -> None:
        """Power a port's module on or off."""
        raise self._unsupported("module power control")

    async def redial(self, refs: Sequence[SlotRef], mode: RedialMode, delay: int | None = None) -> None:
        """Make SIMs dial again (flight mode registers again; fast mode does not)."""
        raise self._unsupported("redialing")

    async def set_led(self, refs: Sequence[SlotRef], *, on: bool) -> None:
        """Turn port LEDs on or off."""
        raise self._unsupported("LED control")

    async def reboot(self) -> None:
        """Reboot the whole gateway."""
        raise self._unsupported("rebooting")

    async def save(self) -> None:
        """Save the running configuration."""
        raise self._unsupported("saving the configuration")

    async def set_imei(self, ref: SlotRef, imei: str) -> SetResult:
        """Write the IMEI used with one SIM slot."""
        raise self._unsupported("changing the IMEI")

    async def set_sim_number(self, ref: SlotRef, number: str) -> SetResult:
        """Store the phone number of one SIM slot."""
        raise self._unsupported("storing SIM numbers")

    async def get_sms_statistics(self, period: StatisticsPeriod) -> list[SmsStatistics]:
        """SMS counters of every slot."""
        raise self._unsupported("SMS statistics")

    async def get_call_statistics(self, period: StatisticsPeriod) -> list[CallStatistics]:
        """Call counters of every slot."""
        raise self._unsupported("call statistics")

    async def get_push_target(self) -> str | None:
        """The URL the device currently pushes incoming SMS to, when the API can read it."""
        raise self._unsupported("reading the push target")

    async def set_push_target(self, url: str | None) -> None:
        """Point every push (status, SMS, reports) at `url`; None stops pushing."""
        raise self._unsupported("setting the push target")

    async def restore_push_target(self, sms_url: str | None) -> None:
        """Undo `set_push_target`: stop the pushes it set up and give the SMS push back to `sms_url` (None: none)."""
        raise self._unsupported("restoring the push target")

    async def list_sms_tasks(self, port: int) -> SmsTaskList:
        """Queued send tasks of a port, with the total the device reported and whether the list was cut short."""
        raise self._unsupported("listing SMS tasks")

    async def pause_sms_tasks(self, task_ids: Sequence[str] | None) -> list[TaskResult]:
        """Pause tasks (None: all)."""
        raise self._unsupported("pausing SMS tasks")

    async def resume_sms_tasks(self, task_ids: Sequence[str] | None) -> list[TaskResult]:
        """Resume tasks (None: all)."""
        raise self._unsupported("resuming SMS tasks")

    async def delete_sms_tasks(self, task_ids: Sequence[str] | None) -> list[TaskResult]:
        """Delete queued tasks (None: all)."""
        raise self._unsupported("deleting SMS tasks")

    async def get_queue_count(self) -> int:
        """SMS waiting in the gateway's send queue, on every port (`SEND_QUEUE`)."""
        raise self._unsupported("reading the send queue")

    async def cancel_sms_tasks(self, task_ids: Sequence[str]) -> list[CancelResult]:
        """Cancel queued sends by the `SendResult.task_ids` of their send (`SMS_CANCEL`); one result per id, in order.

        A task the device no longer knows (sent, failed or unknown) is a `NOT_FOUND` result, not an error.
        """
        raise self._unsupported("cancelling queued SMS")
