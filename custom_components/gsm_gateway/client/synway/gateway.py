"""Synway SMG4000-series wireless gateways: `POST /API/TaskHandle` and `POST /API/QueryInfo` with Basic auth.

Every answer is `{"result": "ok"|"error", "content": "..."}` (`result` compared case-insensitively, as one
documented answer is `"oK"`); `content` is read by `synway_grammar`. The device has no push at all, so
incoming SMS are polled with overlapping windows (`synway_inbox`). Decisions: docs/protocol-synway.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
import hashlib
import itertools
import logging
import re
import time
from typing import Any, ClassVar

import aiohttp

from ..checks import check_phone_number, check_ussd_code
from ..events import PushEvent, PushRequest
from ..exceptions import GatewayCommandError, GatewayPushError, GatewayRequestError, GatewayResponseError
from ..gateway import Gateway, ProbeOutcome
from ..models import (
    Capability,
    ConnectionSettings,
    DeliveryReportEvent,
    DeviceInfo,
    GatewayStatus,
    InboxPage,
    IncomingSms,
    PortStatus,
    RecipientResult,
    SendReportEvent,
    SendResult,
    SentMessage,
    SlotStatus,
    SmsRequest,
    UssdResult,
    Vendor,
)
from ..ports import SlotRef
from ..redaction import safe_reason
from .codes import FINAL_SEND_STATUSES, connect_state_text, port_state_text, send_status_text, sim_state
from .encoding import choose_encoding
from .grammar import (
    PortValue,
    RxRecord,
    SynwayGrammarError,
    format_stamp,
    parse_counted_list,
    parse_inbox,
    parse_port_flags,
    parse_task_id,
    parse_total,
    parse_tx_tasks,
    parse_ussd,
    parse_wireless,
)
from .inbox import DEFAULT_OVERLAP, Candidate, InboxCursor, message_id, select_new, window_start, with_occurrences
from .models import SynwayInfoType, SynwayReceipt, SynwaySendEntry, SynwaySendTask, SynwayUssdRecord
from .ports import PortNumbering, detect_base, raw_label
from .wire import INBOX_ALIAS, QUERY_PATH, SEND_ALIAS, EndpointMissingError, SynwayWire

_LOGGER = logging.getLogger(__name__)

MAX_RECIPIENTS = 50
MAX_USSD_LENGTH = 255
IDENTITY_MAX_AGE = 3600.0  # seconds before ICCID/IMSI/number are read again without a state change

# No send queue and no cancel: the API has no queue query, lists no tasks (`querytxsms` needs their ids) and has no
# way to stop one. `SEND_QUEUE` and `SMS_CANCEL` are not declared (docs/protocol-synway.md, "Capabilities").
CAPABILITIES = frozenset(
    {
        Capability.INBOX_POLL,
        Capability.INBOX_DELETE,
        Capability.SEND_REPORTS,
        Capability.DELIVERY_REPORTS,
        Capability.REPORT_POLL,
        Capability.USSD,
    }
)
DECLARED_CAPABILITIES: Mapping[Capability, str | None] = dict.fromkeys(CAPABILITIES)


@dataclass(frozen=True, slots=True)
class _Identity:
    """SIM identities per 1-based port, and when and under which connection states they were read."""

    iccid: Mapping[int, str | None]
    imsi: Mapping[int, str | None]
    number: Mapping[int, str | None]
    connect_states: tuple[int, ...]
    read_at: float


class SynwayGateway(Gateway):
    """Client for a Synway SMG wireless gateway."""

    vendor: ClassVar[Vendor] = Vendor.SYNWAY
    max_ussd_bytes = MAX_USSD_LENGTH  # the document: "no longer than 255"
    declared_capabilities = DECLARED_CAPABILITIES

    def __init__(
        self,
        session: aiohttp.ClientSession | None,
        settings: ConnectionSettings,
        *,
        time_zone: tzinfo = UTC,
        inbox_overlap: timedelta = DEFAULT_OVERLAP,
        identity_max_age: float = IDENTITY_MAX_AGE,
    ) -> None:
        """Create a client; no I/O until `connect()`. `inbox_overlap` is how far each inbox query reaches back."""
        super().__init__(session, settings, time_zone=time_zone)
        if inbox_overlap < timedelta(seconds=1):
            msg = "the inbox overlap must be at least one second"
            raise ValueError(msg)
        self.inbox_overlap = inbox_overlap
        self.identity_max_age = identity_max_age
        self._numbering: PortNumbering | None = None
        self._imeis: dict[int, str | None] = {}
        self._port_types: dict[int, str | None] = {}
        self._identity: _Identity | None = None
        self._new_inbox: bool | None = None  # newqueryrxsms: None until tried
        self._wire = SynwayWire(self.transport)
        self._user_ids = itertools.count(int(time.time()) % 100_000)

    @property
    def capabilities(self) -> frozenset[Capability]:
        """Polling, deleting, send and delivery reports and USSD; never push (Synway has none)."""
        return CAPABILITIES

    @property
    def port_numbering(self) -> PortNumbering:
        """How the device numbers ports on the wire (detected by `connect()`)."""
        if self._numbering is None:
            msg = "connect() has not been called"
            raise RuntimeError(msg)
        return self._numbering

    @property
    def uses_new_inbox_query(self) -> bool | None:
        """True when `newqueryrxsms` works, False when the firmware lacks it, None before the first poll."""
        return self._new_inbox

    def _device_time(self, moment: datetime) -> str:
        """A request timestamp in the device's local time (naive datetimes are taken as device time)."""
        if moment.tzinfo is not None:
            moment = moment.astimezone(self.time_zone).replace(tzinfo=None)
        return format_stamp(moment)

    def _aware(self, stamp: datetime) -> datetime:
        return stamp.replace(tzinfo=self.time_zone)

    def _ref_and_label(self, wire: int, slot: str | None) -> tuple[SlotRef | None, str]:
        ref = self.port_numbering.ref(wire, slot)
        return ref, ref.label if ref is not None else raw_label(wire, slot)

    def _port_label(self, port: int) -> str:
        return SlotRef(port, 1).label

    # --- detection and device info ----------------------------------------------------------------------------

    async def probe(self) -> ProbeOutcome:
        """One `getportinfo` with Basic auth: a `result`/`content` JSON is Synway, 401 is a refused login."""
        response = await self._wire.post(QUERY_PATH, {"event": "getportinfo"})
        if response.status == 401:
            return ProbeOutcome.AUTH_FAILED
        if response.status != 200:
            return ProbeOutcome.NO_MATCH
        try:
            answer = response.json_object()
        except GatewayResponseError:
            return ProbeOutcome.NO_MATCH
        if isinstance(answer.get("result"), str) and "content" in answer:
            return ProbeOutcome.MATCH
        return ProbeOutcome.NO_MATCH

    async def _wireless_raw(self, kind: SynwayInfoType, ports: str | None = None) -> tuple[PortValue, ...]:
        """Per-port wire records of one `getwirelessinfo` type; a device-wide answer applies to every port."""
        params = {"type": kind.value} if ports is None else {"type": kind.value, "port": ports}
        answer = parse_wireless(await self._wire.query("getwirelessinfo", **params))
        if answer.shared_key is not None:
            numbering = self._numbering or PortNumbering(1)
            count = self._device.port_count if self._device else 0
            return tuple(PortValue(port=numbering.to_wire(p), value=answer.shared_value) for p in range(1, count + 1))
        return answer.ports

    async def _wireless_or_empty(self, kind: SynwayInfoType) -> tuple[PortValue, ...]:
        try:
            return await self._wireless_raw(kind)
        except GatewayCommandError as err:
            _LOGGER.debug("Synway getwirelessinfo %s refused: %s", kind.value, err.reason)
            return ()

    async def connect(self) -> DeviceInfo:
        """Read the port count, detect the port numbering, and derive a stable id from the modules' IMEIs."""
        port_list = parse_counted_list(await self._wire.query("getportinfo"), "getportinfo")
        port_count = port_list.total
        if port_count < 1:
            msg = "getportinfo: the gateway reports no ports"
            raise GatewayResponseError(msg)
        imei_records = await self._wireless_or_empty(SynwayInfoType.IMEI)
        self._numbering = await self._detect_numbering(port_count, imei_records)
        self._imeis = self._by_port(imei_records)
        self._device = DeviceInfo(vendor=Vendor.SYNWAY, port_count=port_count, slot_count=1)
        self._port_types = self._by_port(await self._wireless_or_empty(SynwayInfoType.PORT_TYPE))
        self._identity = None
        self._new_inbox = None  # firmware may have changed: detect newqueryrxsms and the aliases again
        self._wire.forget_aliases()
        self._device = replace(self._device, serial=self._serial(port_count))
        return self._device

    async def _detect_numbering(self, port_count: int, imei_records: Sequence[PortValue]) -> PortNumbering:
        base = detect_base(port_count, (record.port for record in imei_records))
        if base is None:
            iccid_records = await self._wireless_or_empty(SynwayInfoType.ICCID)
            base = detect_base(port_count, (record.port for record in iccid_records))
        if base is None:
            _LOGGER.warning("Synway port numbering could not be detected; assuming ports count from 1")
            return PortNumbering(1, detected=False)
        return PortNumbering(base)

    def _by_port(self, records: Sequence[PortValue]) -> dict[int, str | None]:
        values: dict[int, str | None] = {}
        for record in records:
            port = self.port_numbering.from_wire(record.port)
            if port is not None:
                values[port] = record.value
        return values

    def _serial(self, port_count: int) -> str:
        """A hash of the IMEIs in port order (never the IMEIs); host and port when no module has one."""
        imeis = [self._imeis.get(port) or "" for port in range(1, port_count + 1)]
        if any(imeis):
            material = "imei:" + "|".join(imeis)
        else:
            _LOGGER.warning("Synway modules report no IMEI; the device id falls back to host and port")
            material = f"host:{self.settings.host.lower()}:{self.settings.port}"
        return hashlib.sha256(material.encode()).hexdigest()[:16]

    # --- status -----------------------------------------------------------------------------------------------

    async def get_status(self) -> GatewayStatus:
        """Port and connection states every time; SIM identities when a state changed or they are old."""
        port_list = parse_counted_list(await self._wire.query("getportinfo"), "getportinfo")
        connect_list = parse_counted_list(await self._wire.query("getportconnectstate"), "getportconnectstate")
        if port_list.total >= 1 and port_list.total != self.device.port_count:
            self._device = replace(self.device, port_count=port_list.total)
        identity = await self._current_identity(connect_list.values)
        ports: dict[int, PortStatus] = {}
        for port in range(1, self.device.port_count + 1):
            port_code = port_list.values[port - 1] if port <= len(port_list.values) else None
            connect_code = connect_list.values[port - 1] if port <= len(connect_list.values) else None
            iccid = identity.iccid.get(port)
            slot = SlotStatus(
                ref=SlotRef(port, 1),
                label=self._port_label(port),
                raw_label=str(self.port_numbering.to_wire(port)),
                state=sim_state(port_code, connect_code, has_sim=iccid is not None),
                status_code=connect_code,
                status_text=f"{connect_state_text(connect_code)}, {port_state_text(port_code)}",
                active=True,
                sim_number=identity.number.get(port),
                imei=self._imeis.get(port),
                imsi=identity.imsi.get(port),
                iccid=iccid,
                network_type=self._port_types.get(port),
                call_state=port_state_text(port_code),
                extra={"port_state": port_code, "connect_state": connect_code},
            )
            ports[port] = PortStatus(port=port, slots={1: slot}, active_slot=1)
        return GatewayStatus(device=self.device, ports=ports)

    async def _current_identity(self, connect_states: Sequence[int]) -> _Identity:
        cached = self._identity
        states = tuple(connect_states)
        if (
            cached is not None
            and cached.connect_states == states
            and time.monotonic() - cached.read_at < self.identity_max_age
        ):
            return cached
        iccid = self._by_port(await self._wireless_or_empty(SynwayInfoType.ICCID))
        imsi = self._by_port(await self._wireless_or_empty(SynwayInfoType.IMSI))
        number = self._by_port(await self._wireless_or_empty(SynwayInfoType.PHONE_NUMBER))
        self._identity = _Identity(iccid, imsi, number, states, time.monotonic())
        return self._identity

    # --- sending ----------------------------------------------------------------------------------------------

    async def send_sms(self, request: SmsRequest) -> SendResult:
        """One `txsms` per 50 recipients. The port's active SIM sends: Synway cannot pick a slot."""
        self._refuse_send_options(request.options)
        if not request.recipients:
            msg = "no recipients"
            raise GatewayRequestError(msg)
        recipients = tuple(check_phone_number(number, "a recipient") for number in request.recipients)
        encoded = choose_encoding(request.text, request.encoding)
        ports = (
            "-1" if not request.ports else self.port_numbering.wire_list(sorted({ref.port for ref in request.ports}))
        )
        user_id = str(next(self._user_ids))
        task_ids: list[str] = []
        results: list[RecipientResult] = []
        failure: GatewayCommandError | None = None
        chunks = [recipients[i : i + MAX_RECIPIENTS] for i in range(0, len(recipients), MAX_RECIPIENTS)]
        for chunk in chunks:
            try:
                content = await self._wire.task(
                    "txsms",
                    SEND_ALIAS,
                    userid=user_id,
                    num=",".join(chunk),
                    port=ports,
                    encoding=encoded.wire_code,
                    smsinfo=request.text,
                )
            except GatewayCommandError as err:
                failure = err
                results.extend(RecipientResult(recipient=number, accepted=False, reason=err.reason) for number in chunk)
                continue
            task_id = parse_task_id(content)
            task_ids.append(task_id)
            results.extend(RecipientResult(recipient=number, accepted=True, task_id=task_id) for number in chunk)
        if failure is not None and not task_ids:
            raise failure
        return SendResult(task_ids=tuple(task_ids), recipients=tuple(results), requests_made=len(chunks))

    async def query_send_results(
        self, task_ids: Sequence[str], *, numbers: Sequence[str] = (), ports: Sequence[int] = ()
    ) -> list[SynwaySendTask]:
        """Per-recipient status of send tasks (`querytxsms`), optionally only some numbers or 1-based ports."""
        if not task_ids:
            return []
        params = {"taskid": ",".join(task_ids)}
        if numbers:
            params["num"] = ",".join(check_phone_number(number) for number in numbers)
        if ports:
            params["port"] = self.port_numbering.wire_list(ports)
        tasks = parse_tx_tasks(await self._wire.query("querytxsms", **params))
        return [
            SynwaySendTask(
                task_id=task.task_id,
                user_id=task.user_id,
                count=task.count,
                entries=tuple(self._send_entry(entry.port, entry.number, entry.status) for entry in task.entries),
            )
            for task in tasks
        ]

    def _send_entry(self, port_token: str, number: str, status: int) -> SynwaySendEntry:
        ref: SlotRef | None = None
        label = port_token
        if re.fullmatch(r"-?[0-9]+", port_token):
            ref, label = self._ref_and_label(int(port_token), None)
            if ref is None:
                label = port_token
        return SynwaySendEntry(
            port_label=label,
            ref=ref,
            recipient=number,
            status=status,
            status_text=send_status_text(status),
            final=status in FINAL_SEND_STATUSES,
        )

    async def fetch_reports(self, sent: Sequence[SentMessage]) -> list[SendReportEvent | DeliveryReportEvent]:
        """Results by task (`querytxsms`); receipts (`querytxsmsrpt`) of messages that were sent.

        The device keeps one receipt per port and number: that of the latest SMS from the port to the number.
        A receipt is read only for the newest sent message to each (port, number), so an older one is never
        credited with a newer message's receipt (see docs/protocol-synway.md, "Reports").
        """
        if not sent:
            return []
        tasks = await self.query_send_results(sorted({message.task_id for message in sent}))
        entries = {(task.task_id, entry.recipient): entry for task in tasks for entry in task.entries if entry.final}
        reports: list[SendReportEvent | DeliveryReportEvent] = []
        newest: dict[tuple[int, str], tuple[SentMessage, SynwaySendEntry]] = {}
        for message in sent:
            entry = entries.get((message.task_id, message.recipient))
            if entry is None:
                continue
            if message.want_result:
                reports.append(self._send_report(message.task_id, entry))
            if message.want_delivery and entry.sent and entry.ref is not None:
                key = (entry.ref.port, message.recipient)
                if key not in newest or newest[key][0].sent_at <= message.sent_at:
                    newest[key] = (message, entry)
        for (port, number), (message, entry) in newest.items():
            receipt = await self.query_delivery_receipt(port, number)
            if receipt.delivered is not None:
                reports.append(
                    DeliveryReportEvent(
                        port_label=entry.port_label,
                        ref=entry.ref,
                        recipient=message.recipient,
                        delivered=receipt.delivered,
                        task_id=message.task_id,
                    )
                )
        return reports

    @staticmethod
    def _send_report(task_id: str, entry: SynwaySendEntry) -> SendReportEvent:
        return SendReportEvent(
            task_id=task_id,
            recipient=entry.recipient,
            port_label=entry.port_label,
            ref=entry.ref,
            sent=entry.sent,
            reason="" if entry.sent else entry.status_text,
        )

    async def query_delivery_receipt(self, port: int, number: str, *, count: int | None = None) -> SynwayReceipt:
        """Whether the last SMS from a 1-based port to `number` was delivered (`querytxsmsrpt`)."""
        params = {"port": str(self.port_numbering.to_wire(port)), "num": number}
        if count is not None:
            params["rptnum"] = str(count)
        text = (await self._wire.query("querytxsmsrpt", **params)).strip()
        if text.upper() == "OK":
            return SynwayReceipt(delivered=True, text=text)
        if text.upper() in {"", "NULL"}:
            return SynwayReceipt(delivered=None, text=text)
        return SynwayReceipt(delivered=False, text=safe_reason(text, self.settings.password))

    def _window_params(self, begin: datetime | None, end: datetime | None) -> dict[str, str]:
        params: dict[str, str] = {}
        if begin is not None:
            params["begintime"] = self._device_time(begin)
        if end is not None:
            params["endtime"] = self._device_time(end)
        return params

    # --- receiving --------------------------------------------------------------------------------------------

    async def fetch_inbox(self, cursor: Mapping[str, Any] | None, *, limit: int = 100) -> InboxPage:
        """Messages not delivered yet, oldest first; the cursor is the window end plus the overlap's seen ids."""
        state = InboxCursor.from_json(cursor)
        start = window_start(state, self.inbox_overlap)
        records = await self._read_inbox({} if start is None else {"begintime": format_stamp(start)})
        candidates = self._candidates(records)
        selection = select_new(candidates, state, self.inbox_overlap, limit)
        _LOGGER.debug(
            "Synway inbox: %d listed, %d new, more=%s", len(candidates), len(selection.messages), selection.more
        )
        return InboxPage(messages=selection.messages, cursor=selection.cursor.to_json(), more=selection.more)

    async def _read_inbox(self, params: Mapping[str, str]) -> tuple[RxRecord, ...]:
        """`newqueryrxsms` when the firmware has it (tried once: 404 or an error answer means no), else `queryrxsms`."""
        if self._new_inbox is not False:
            try:
                listing = parse_inbox(await self._wire.query("newqueryrxsms", **params))
            except EndpointMissingError, GatewayCommandError, SynwayGrammarError:
                if self._new_inbox:
                    raise
                _LOGGER.debug("Synway newqueryrxsms is not usable here; using queryrxsms")
                self._new_inbox = False
            else:
                self._new_inbox = True
                return listing.records
        return parse_inbox(await self._wire.query("queryrxsms", INBOX_ALIAS, **params)).records

    def _candidates(self, records: Sequence[RxRecord]) -> list[Candidate]:
        placed = [(record, *self._ref_and_label(record.header.port, record.header.slot)) for record in records]
        occurrences = with_occurrences(
            (record.header.stamp, label, record.sender, record.text) for record, _ref, label in placed
        )
        return [
            Candidate(
                stamp=record.header.stamp,
                sms=IncomingSms(
                    message_id=message_id(record.header.stamp, label, record.sender, record.text, occurrence),
                    port_label=label,
                    ref=ref,
                    sender=record.sender,
                    recipient=record.header.sim_number or "",
                    text=record.text,
                    received_at=self._aware(record.header.stamp),
                ),
            )
            for (record, ref, label), occurrence in zip(placed, occurrences, strict=True)
        ]

    async def delete_inbox(self, messages: Sequence[IncomingSms]) -> None:
        """Delete delivered messages: one `deletesms` per (port, sender, second), matching exactly that second."""
        groups: dict[tuple[int, str, str], int] = {}
        for sms in messages:
            if sms.ref is None:
                _LOGGER.debug("Synway delete: skipping a message whose port is unknown")
                continue
            stamp = self._device_time(sms.received_at)
            key = (self.port_numbering.to_wire(sms.ref.port), sms.sender, stamp)
            groups[key] = groups.get(key, 0) + 1
        for (wire_port, sender, stamp), expected in groups.items():
            deleted = parse_total(
                await self._wire.task(
                    "deletesms",
                    port=str(wire_port),
                    phonenum=sender,
                    begintime=stamp,
                    endtime=stamp,
                    smsbox="r",
                    clear="1",
                ),
                "deletesms",
            )
            if deleted < expected:
                _LOGGER.debug("Synway delete: the gateway deleted %d of %d messages", deleted, expected)

    def parse_push(self, request: PushRequest) -> list[PushEvent]:  # noqa: ARG002 - no push to read
        """Synway gateways have no push; every body is refused."""
        msg = "Synway gateways do not push"
        raise GatewayPushError(msg)

    # --- USSD -------------------------------------------------------------------------------------------------

    async def send_ussd(self, ref: SlotRef, code: str) -> UssdResult:
        """`txussd` from one port; the reply comes later through `fetch_ussd_replies`."""
        code = check_ussd_code(code, MAX_USSD_LENGTH)
        wire = self.port_numbering.to_wire(ref.port)
        flags = parse_port_flags(await self._wire.task("txussd", port=str(wire), ussd=code))
        label = self._port_label(ref.port)
        for flag in flags:
            if flag.port == wire:
                accepted = flag.flag == 1
                return UssdResult(
                    port_label=label, accepted=accepted, code=flag.flag, reason="" if accepted else "not sent"
                )
        return UssdResult(port_label=label, accepted=False, reason="the gateway did not answer for this port")

    async def query_ussd(
        self, ports: Sequence[int] = (), *, begin: datetime | None = None, end: datetime | None = None
    ) -> list[SynwayUssdRecord]:
        """USSD exchanges (`rxussd`) of 1-based ports (empty: every port) in an optional time window."""
        chosen = list(ports) or list(range(1, self.device.port_count + 1))
        params = {"port": self.port_numbering.wire_list(chosen), **self._window_params(begin, end)}
        listing = parse_ussd(await self._wire.query("rxussd", **params))
        records: list[SynwayUssdRecord] = []
        for record in listing.records:
            ref, label = self._ref_and_label(record.port, None)
            records.append(
                SynwayUssdRecord(
                    port_label=label,
                    ref=ref,
                    order=record.order,
                    at=self._aware(record.stamp),
                    code=record.code,
                    sent=record.sent,
                    reply=record.reply,
                )
            )
        return records

    async def fetch_ussd_replies(self, refs: Sequence[SlotRef]) -> dict[str, str]:
        """The latest USSD exchange per port, when the network has answered it (`NULL` is left out)."""
        latest: dict[str, SynwayUssdRecord] = {}
        for record in await self.query_ussd(sorted({ref.port for ref in refs})):
            current = latest.get(record.port_label)
            if current is None or (record.at, record.order) >= (current.at, current.order):
                latest[record.port_label] = record
        return {label: record.reply for label, record in latest.items() if record.reply is not None}

    async def delete_ussd(self, ports: Sequence[int] = (), orders: Sequence[int] = ()) -> int:
        """`deleteussd`: some 1-based ports (empty: all) and sequence numbers (empty: all). Returns the count."""
        params = {
            "port": self.port_numbering.wire_list(ports) if ports else "-1",
            "num": ",".join(str(order) for order in orders) if orders else "-1",
        }
        return parse_total(await self._wire.task("deleteussd", **params), "deleteussd")
