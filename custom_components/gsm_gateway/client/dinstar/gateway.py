"""Dinstar UC2000/DWG gateways ("new-version API", firmware 1102+): the `Gateway` implementation.

The common interface maps onto the spec's endpoints (`endpoints`); the Dinstar-only endpoints are typed methods
here, and call forwarding, CDRs and the SIM toolkit are feature objects (`call_forwarding`, `call_records`,
`sim_toolkit`) that call through `call`. Parsing lives in `parse` and `push`, authentication in `auth`, request
mechanics in `connection`, send planning in `sms`, status building in `status`. Decisions where the spec is
silent or contradicts itself are in docs/protocol-dinstar.md.

Ports: users see 1-based `SlotRef`s (`1A`); the wire counts from 0 (see `ports`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
import logging
from typing import Any, Literal

import aiohttp

from ..call_forwarding import CallForwardingFeature
from ..call_records import CallRecordFeature
from ..checks import check_imei
from ..events import PushEvent, PushRequest
from ..exceptions import (
    GatewayAuthError,
    GatewayCommandError,
    GatewayError,
    GatewayRequestError,
    GatewayResponseError,
    GatewayUnsupportedError,
)
from ..gateway import Gateway, ProbeOutcome
from ..models import (
    CancelOutcome,
    CancelResult,
    Capability,
    ConnectionSettings,
    DeliveryReportEvent,
    DeviceInfo,
    Encoding,
    GatewayStatus,
    InboxPage,
    IncomingSms,
    RecipientResult,
    SendReportEvent,
    SendResult,
    SentMessage,
    SetResult,
    SmsRequest,
    UssdResult,
    Vendor,
)
from ..ports import SlotRef
from ..sim_toolkit import SimToolkitFeature
from .auth import parse_challenge
from .call_forwarding import DinstarCallForwarding
from .call_records import DinstarCallRecords
from .connection import DinstarHttp, Endpoint, Method, Params, device_time, without_none
from .endpoints import (
    GET_PORT_INFO,
    QUERY_INCOMING_SMS,
    QUERY_SMS_DELIVER_STATUS,
    QUERY_SMS_RESULT,
    QUERY_USSD_REPLY,
    QUEUE_ENDPOINTS,
    SEND_SMS,
    SEND_USSD,
    SET_PORT_INFO,
    STOP_SMS,
)
from .models import (
    DeliveryStatusRecord,
    IncomingBatch,
    InfoType,
    PortAction,
    PortInfo,
    SmsRecipient,
    SmsSendRecord,
    UssdPortResult,
    UssdReply,
)
from .parse import (
    ERROR_REASONS,
    decode_object,
    error_code,
    looks_like_dinstar,
    parse_delivery_records,
    parse_incoming,
    parse_port_info,
    parse_queue_count,
    parse_send_records,
    parse_ussd_replies,
    parse_ussd_results,
    serial_of,
)
from .ports import wire_port, wire_ports, wire_slot
from .push import parse_push
from .reports import SENT, delivery_reports, results_by_recipient, same_number, send_report
from .sim_toolkit import DinstarSimToolkit
from .sms import (
    MAX_USSD_BYTES,
    UserIdAllocator,
    check_number,
    check_query_numbers,
    check_task_id,
    check_ussd,
    plan_send,
)
from .status import (
    BASE_CAPABILITIES,
    CONNECT_INFO_TYPES,
    DECLARED_CAPABILITIES,
    STATUS_INFO_TYPES,
    capabilities_of,
    device_info,
    gateway_status,
    without_missing,
)

_LOGGER = logging.getLogger(__name__)

MAX_REPORT_QUERY = 100  # user ids per `query_sms_result`
# The device's clock and ours differ; delivery statuses are asked for from a little before the first send.
REPORT_CLOCK_SLACK = timedelta(minutes=10)

DINSTAR_REALM = "Web Server"

type InboxFlag = Literal["all", "read", "unread"]


class DinstarGateway(Gateway):
    """A Dinstar UC/DWG gateway speaking the new-version HTTP API."""

    vendor = Vendor.DINSTAR
    declared_capabilities = DECLARED_CAPABILITIES
    max_ussd_bytes = MAX_USSD_BYTES  # the spec: "its length should not exceed 60 bytes"

    def __init__(
        self,
        session: aiohttp.ClientSession | None,
        settings: ConnectionSettings,
        *,
        time_zone: tzinfo = UTC,
    ) -> None:
        """Create the client; no I/O happens until `probe()` or `connect()`."""
        super().__init__(session, settings, time_zone=time_zone)
        self._http = DinstarHttp(self.transport)
        self._user_ids = UserIdAllocator()
        self._serial: str | None = None
        self._imei_reported = False
        self._missing: set[Capability] = set()
        self._queue_endpoint: Endpoint | None = None
        self._call_forwarding = DinstarCallForwarding(self)
        self._call_records = DinstarCallRecords(self)
        self._sim_toolkit = DinstarSimToolkit(self)

    # --- common interface ---------------------------------------------------------------------------------

    @property
    def capabilities(self) -> frozenset[Capability]:
        """What the device showed (see `dinstar_status.capabilities_of`); before `connect()` the documented set."""
        if self._device is None:
            return without_missing(BASE_CAPABILITIES, self._missing)
        return capabilities_of(self._device, imei_reported=self._imei_reported, missing=self._missing)

    @property
    def call_forwarding(self) -> CallForwardingFeature | None:
        """Call forwarding, until its endpoint answered 404."""
        return self._call_forwarding if Capability.CALL_FORWARD in self.capabilities else None

    @property
    def call_records(self) -> CallRecordFeature | None:
        """Call detail records, until `get_cdr` answered 404."""
        return self._call_records if Capability.CDR in self.capabilities else None

    @property
    def sim_toolkit(self) -> SimToolkitFeature | None:
        """The SIM toolkit, until an STK endpoint answered 404."""
        return self._sim_toolkit if Capability.STK in self.capabilities else None

    async def probe(self) -> ProbeOutcome:
        """One request without credentials to learn the challenge, then at most one with them (read-only)."""
        params = {"info_type": [InfoType.TYPE.value]}
        first = await self._http.send(GET_PORT_INFO, Method.GET, params, authorize=False)
        if first.status == 200:
            return ProbeOutcome.MATCH if self._is_dinstar_answer(first.body) else ProbeOutcome.NO_MATCH
        challenge = parse_challenge(first.headers) if first.status == 401 else None
        if challenge is None:
            return ProbeOutcome.NO_MATCH
        self._http.credentials.learn(challenge)
        second = await self._http.send(GET_PORT_INFO, Method.GET, params)
        if second.status == 401:
            self._http.credentials.forget()
            return ProbeOutcome.AUTH_FAILED
        if second.status == 200:
            return ProbeOutcome.MATCH if self._is_dinstar_answer(second.body) else ProbeOutcome.NO_MATCH
        # Logged in, but this firmware wants POST here: the realm is Dinstar's and the login was accepted.
        if second.status in {403, 405} and challenge.scheme == "digest" and challenge.realm == DINSTAR_REALM:
            return ProbeOutcome.MATCH
        return ProbeOutcome.NO_MATCH

    @staticmethod
    def _is_dinstar_answer(body: bytes) -> bool:
        try:
            return looks_like_dinstar(decode_object(body, "probe"))
        except GatewayResponseError:
            return False

    async def connect(self) -> DeviceInfo:
        """Check the credentials and read serial number, port and slot counts (one `get_port_info`)."""
        obj = await self.call(GET_PORT_INFO, {"info_type": [item.value for item in CONNECT_INFO_TYPES]})
        infos = parse_port_info(obj, GET_PORT_INFO.name)
        self._imei_reported = any(info.imei for info in infos)
        self._device = self._device_from(obj, infos)
        return self._device

    def _device_from(self, obj: Mapping[str, Any], infos: Sequence[PortInfo]) -> DeviceInfo:
        serial = serial_of(obj) or self._serial
        if serial is None:
            msg = f"{GET_PORT_INFO.name}: the gateway did not report its serial number (sn)"
            raise GatewayResponseError(msg)
        if not infos:
            msg = f"{GET_PORT_INFO.name}: the gateway reported no ports"
            raise GatewayResponseError(msg)
        self._serial = serial
        return device_info(serial, infos, self.settings.host)

    async def get_status(self) -> GatewayStatus:
        """Every port in one `get_port_info` request."""
        obj = await self.call(GET_PORT_INFO, {"info_type": [item.value for item in STATUS_INFO_TYPES]})
        infos = parse_port_info(obj, GET_PORT_INFO.name)
        self._device = self._device_from(obj, infos)
        if any(info.imei for info in infos):
            self._imei_reported = True
        return gateway_status(self._device, infos)

    async def send_sms(self, request: SmsRequest) -> SendResult:
        """Send one text; more than 128 recipients take ⌈n/128⌉ requests. See `send_template_sms`."""
        self._refuse_send_options(request.options)
        return await self.send_template_sms(
            request.text,
            [SmsRecipient(number=number) for number in request.recipients],
            ports=request.ports,
            encoding=request.encoding,
            delivery_report=request.delivery_report,
        )

    async def fetch_inbox(self, cursor: Mapping[str, Any] | None, *, limit: int = 100) -> InboxPage:
        """Received SMS after `cursor` (`{"incoming_sms_id": N, "stamp": ...}`), with `flag=all` (no side effects).

        The query starts one message early, at the last message already seen: when that message is gone or
        has another timestamp, the device's numbering restarted, so the whole inbox is read again and the
        page says `restarted` (callers de-duplicate by `message_id`).
        """
        last_id, stamp = self._read_cursor(cursor)
        batch = await self.query_incoming_sms(after_id=max(last_id - 1, 0))
        messages = list(batch.messages)
        restarted = False
        if last_id > 0:
            anchor = next((sms for sms in messages if sms.device_sms_id == last_id), None)
            if anchor is None or (stamp is not None and self._stamp_of(anchor) != stamp):
                restarted = True
                if last_id > 1:
                    messages = list((await self.query_incoming_sms(after_id=0)).messages)
            else:
                messages = [sms for sms in messages if sms.device_sms_id is None or sms.device_sms_id > last_id]
        page = messages[: max(limit, 1)]
        with_ids = [sms for sms in page if sms.device_sms_id is not None]
        if with_ids:
            next_cursor: dict[str, Any] = {
                "incoming_sms_id": with_ids[-1].device_sms_id,
                "stamp": self._stamp_of(with_ids[-1]),
            }
        elif restarted:
            next_cursor = {"incoming_sms_id": 0}
        else:
            next_cursor = dict(cursor or {"incoming_sms_id": 0})
        return InboxPage(messages=tuple(page), cursor=next_cursor, more=len(messages) > len(page), restarted=restarted)

    @staticmethod
    def _read_cursor(cursor: Mapping[str, Any] | None) -> tuple[int, str | None]:
        if not cursor:
            return 0, None
        last_id = cursor.get("incoming_sms_id")
        stamp = cursor.get("stamp")
        if isinstance(last_id, bool) or not isinstance(last_id, int) or last_id < 0:
            _LOGGER.debug("Dinstar inbox cursor unreadable; reading the inbox from the start")
            return 0, None
        return last_id, stamp if isinstance(stamp, str) else None

    @staticmethod
    def _stamp_of(sms: IncomingSms) -> str:
        return sms.message_id.rsplit(":", 1)[-1]

    def parse_push(self, request: PushRequest) -> list[PushEvent]:
        """Events of one pushed body (see `dinstar_push`)."""
        return parse_push(request, serial=self._serial, time_zone=self.time_zone)

    # --- optional common operations -------------------------------------------------------------------------

    async def send_ussd(self, ref: SlotRef, code: str) -> UssdResult:
        """Send a USSD code from one port; the reply comes later by push or `fetch_ussd_replies`."""
        return self._port_result(ref, await self.send_ussd_to([ref], code))

    async def cancel_ussd(self, ref: SlotRef) -> UssdResult:
        """End the USSD session of one port: `send_ussd` with `command=cancel` and empty text (the spec allows it)."""
        params = {"port": self._required_ports([ref]), "command": "cancel", "text": ""}
        obj = await self.call(SEND_USSD, params, Capability.USSD)
        return self._port_result(ref, parse_ussd_results(obj, SEND_USSD.name))

    @staticmethod
    def _port_result(ref: SlotRef, results: Sequence[UssdPortResult]) -> UssdResult:
        """The row of `ref`'s port in a `send_ussd` answer; a 202 answer without one counts as accepted."""
        for result in results:
            if result.ref is not None and result.ref.port == ref.port:
                return UssdResult(
                    port_label=result.port_label, accepted=result.accepted, code=result.status, reason=result.reason
                )
        return UssdResult(port_label=SlotRef(ref.port, ref.slot or 1).label, accepted=True, code=202)

    async def fetch_ussd_replies(self, refs: Sequence[SlotRef]) -> dict[str, str]:
        """The latest USSD reply per port label; ports without a reply are left out."""
        return {reply.port_label: reply.text for reply in await self.query_ussd_replies(refs) if reply.text}

    async def lock(self, refs: Sequence[SlotRef]) -> None:
        """Block ports (`set_port_info` action `block`): the device stops using their SIM."""
        for port in wire_ports(refs, self.port_count):
            await self._set_port(port, PortAction.BLOCK)

    async def unlock(self, refs: Sequence[SlotRef]) -> None:
        """Unblock ports (`set_port_info` action `unblock`)."""
        for port in wire_ports(refs, self.port_count):
            await self._set_port(port, PortAction.UNBLOCK)

    async def switch_slot(self, ref: SlotRef) -> None:
        """Make `ref.slot` (A-D) the active SIM of `ref.port`."""
        if self._device is not None and self._device.slot_count < 2:
            raise self._unsupported("switching SIM slots on a single-SIM model")
        await self._set_port(wire_port(ref, self.port_count), PortAction.SLOT, str(wire_slot(ref)))

    async def reset_module(self, ports: Sequence[int]) -> None:
        """Restart the modules of these 1-based ports, one request each."""
        for port in wire_ports(ports, self.port_count):
            await self._set_port(port, PortAction.RESET)

    async def set_module_power(self, port: int, *, on: bool) -> None:
        """Power a module on or off."""
        await self._set_port(wire_port(port, self.port_count), PortAction.POWER, "on" if on else "off")

    async def set_imei(self, ref: SlotRef, imei: str) -> SetResult:
        """Write the IMEI of the port's module (shared by all its slots); 15 digits with a valid check digit."""
        await self._set_port(wire_port(ref, self.port_count), PortAction.IMEI, check_imei(imei))
        return SetResult(confirmed=1, requested=1)

    async def set_sim_number(self, ref: SlotRef, number: str) -> SetResult:
        """Store the phone number of the port's active SIM."""
        await self._set_port(wire_port(ref, self.port_count), PortAction.NUMBER, check_number(number))
        return SetResult(confirmed=1, requested=1)

    # --- SMS ------------------------------------------------------------------------------------------------

    async def send_template_sms(
        self,
        text: str,
        recipients: Sequence[SmsRecipient],
        *,
        ports: Sequence[SlotRef] = (),
        encoding: Encoding = Encoding.AUTO,
        delivery_report: bool = True,
    ) -> SendResult:
        """Send `text` (with `#param#` placeholders filled per recipient) and report per-recipient acceptance.

        Each recipient gets a `user_id`, returned as its `RecipientResult.task_id`: send reports carry it
        back. `SendResult.task_ids` are the device's task ids (for `cancel_sms_tasks`). A refused request marks
        its recipients as not accepted; when a later request of a split send fails to get an answer, the
        recipients sent so far stay reported and the rest are marked not accepted.
        """
        batches = plan_send(
            text,
            recipients,
            ports=ports,
            port_count=self.port_count,
            encoding=encoding,
            delivery_report=delivery_report,
            user_ids=self._user_ids,
        )
        task_ids: list[str] = []
        results: list[RecipientResult] = []
        for index, batch in enumerate(batches):
            code: int | None = None
            reason = ""
            accepted = True
            try:
                obj = await self._http.call(SEND_SMS, batch.body)
            except GatewayCommandError as err:
                accepted, code, reason = False, self._int_code(err.code), err.reason
            except GatewayError as err:
                if index == 0:
                    raise
                accepted, reason = False, f"no valid answer ({type(err).__name__})"
            else:
                code = error_code(obj, SEND_SMS.name)
                if (task_id := obj.get("task_id")) is not None:
                    task_ids.append(str(task_id))
            results.extend(
                RecipientResult(recipient=number, accepted=accepted, task_id=str(user_id), code=code, reason=reason)
                for number, user_id in zip(batch.numbers, batch.user_ids, strict=True)
            )
        return SendResult(task_ids=tuple(task_ids), recipients=tuple(results), requests_made=len(batches))

    def _device_time(self, value: datetime | None) -> str | None:
        return device_time(value, self.time_zone)

    @staticmethod
    def _int_code(code: int | str | None) -> int | None:
        return code if isinstance(code, int) else None

    async def query_sms_results(
        self,
        *,
        user_ids: Sequence[int] = (),
        numbers: Sequence[str] = (),
        ports: Sequence[SlotRef] = (),
        time_after: datetime | None = None,
        time_before: datetime | None = None,
    ) -> list[SmsSendRecord]:
        """Send results (`query_sms_result`); `user_ids` are the `RecipientResult.task_id`s of a send."""
        params = without_none(
            {
                "user_id": [int(user_id) for user_id in user_ids],
                "number": check_query_numbers(numbers),
                "port": wire_ports(ports, self.port_count),
                "time_after": self._device_time(time_after),
                "time_before": self._device_time(time_before),
            }
        )
        obj = await self.call(QUERY_SMS_RESULT, params, Capability.SEND_REPORTS)
        return parse_send_records(obj, QUERY_SMS_RESULT.name, self.time_zone)

    async def query_delivery_statuses(
        self,
        *,
        numbers: Sequence[str] = (),
        ports: Sequence[SlotRef] = (),
        time_after: datetime | None = None,
        time_before: datetime | None = None,
    ) -> list[DeliveryStatusRecord]:
        """Delivery statuses (`query_sms_deliver_status`), matched to send results by port, number and `ref_id`."""
        params = without_none(
            {
                "number": check_query_numbers(numbers),
                "port": wire_ports(ports, self.port_count),
                "time_after": self._device_time(time_after),
                "time_before": self._device_time(time_before),
            }
        )
        obj = await self.call(QUERY_SMS_DELIVER_STATUS, params, Capability.DELIVERY_REPORTS)
        return parse_delivery_records(obj, QUERY_SMS_DELIVER_STATUS.name, self.time_zone)

    async def fetch_reports(self, sent: Sequence[SentMessage]) -> list[SendReportEvent | DeliveryReportEvent]:
        """Results of `sent` by their `user_id`s, and delivery statuses matched through those results."""
        if not sent:
            return []
        user_ids = sorted({int(tid) for message in sent if (tid := message.task_id).isascii() and tid.isdigit()})
        records: list[SmsSendRecord] = []
        for start in range(0, len(user_ids), MAX_REPORT_QUERY):
            records.extend(await self.query_sms_results(user_ids=user_ids[start : start + MAX_REPORT_QUERY]))
        results = results_by_recipient(records)
        reports: list[SendReportEvent | DeliveryReportEvent] = []
        awaiting_delivery: list[tuple[SentMessage, SmsSendRecord]] = []
        for message in sent:
            record = results.get((message.task_id, same_number(message.recipient)))
            if record is None:
                continue
            if message.want_result:
                reports.append(send_report(message, record))
            if message.want_delivery and record.status in SENT and record.ref_id is not None:
                awaiting_delivery.append((message, record))
        if awaiting_delivery:
            since = min(message.sent_at for message, _ in awaiting_delivery) - REPORT_CLOCK_SLACK
            statuses = await self.query_delivery_statuses(time_after=since)
            reports.extend(delivery_reports(awaiting_delivery, statuses))
        return reports

    async def get_queue_count(self) -> int:
        """SMS waiting to be sent. Tries `query_sms_in_queue`, `query_sms_queue`, `query_sms_count`; remembers."""
        candidates = [self._queue_endpoint] if self._queue_endpoint else []
        candidates += [endpoint for endpoint in QUEUE_ENDPOINTS if endpoint != self._queue_endpoint]
        for endpoint in candidates:
            try:
                obj = await self._http.call(endpoint)
            except GatewayUnsupportedError:
                continue
            self._queue_endpoint = endpoint
            return parse_queue_count(obj, endpoint.name)
        self._queue_endpoint = None
        self._missing.add(Capability.SEND_QUEUE)
        msg = "none of query_sms_in_queue, query_sms_queue, query_sms_count exists on this firmware"
        raise GatewayUnsupportedError(msg)

    async def cancel_sms_tasks(self, task_ids: Sequence[str]) -> list[CancelResult]:
        """`stop_sms` for each task id of a send (`SendResult.task_ids`), one request each: the API takes one id.

        `error_code` 200 (or none) is CANCELLED; 404 ("cannot be found": sent, failed or unknown) is NOT_FOUND;
        any other is REFUSED with the spec's reason. Every id is checked before the first request; a connection
        error raises, leaving the ids before it cancelled and the rest untried.
        """
        ids = [check_task_id(task_id) for task_id in task_ids]
        results: list[CancelResult] = []
        for task_id in ids:
            obj = await self.call(STOP_SMS, {"task_id": task_id}, Capability.SMS_CANCEL, check=False)
            code = error_code(obj, STOP_SMS.name)
            if code == 404:
                outcome, text = CancelOutcome.NOT_FOUND, "task not found"
            elif code in {None, 200, 202}:
                outcome, text = CancelOutcome.CANCELLED, "stopped"
            else:
                outcome, text = CancelOutcome.REFUSED, ERROR_REASONS.get(code, "could not stop the task")
            results.append(CancelResult(task_id=str(task_id), outcome=outcome, code=code, text=text))
        return results

    async def query_incoming_sms(
        self, *, after_id: int = 0, flag: InboxFlag = "all", ports: Sequence[SlotRef] = ()
    ) -> IncomingBatch:
        """Received SMS with ids above `after_id`. Only `flag="unread"` changes state: it marks them read."""
        if flag not in {"all", "read", "unread"}:
            msg = "flag must be all, read or unread"
            raise GatewayRequestError(msg)
        params = without_none(
            {
                "incoming_sms_id": after_id or None,  # the spec: omit it on the first request
                "flag": flag,
                "port": wire_ports(ports, self.port_count),
            }
        )
        obj = await self.call(QUERY_INCOMING_SMS, params, Capability.INBOX_POLL)
        serial = serial_of(obj) or self._serial or "unknown"
        return parse_incoming(obj, QUERY_INCOMING_SMS.name, serial=serial, time_zone=self.time_zone)

    # --- USSD -----------------------------------------------------------------------------------------------

    async def send_ussd_to(self, refs: Sequence[SlotRef], code: str) -> list[UssdPortResult]:
        """Send a USSD code from several ports; per port 200 sent, 486 busy, 503 not registered."""
        params = {"port": self._required_ports(refs), "command": "send", "text": check_ussd(code)}
        obj = await self.call(SEND_USSD, params, Capability.USSD)
        return parse_ussd_results(obj, SEND_USSD.name)

    async def query_ussd_replies(self, refs: Sequence[SlotRef] = ()) -> list[UssdReply]:
        """The latest USSD reply of each port (all ports when `refs` is empty)."""
        ports = wire_ports(refs, self.port_count) or list(range(self.port_count or 0))
        obj = await self.call(QUERY_USSD_REPLY, without_none({"port": ports}), Capability.USSD)
        return parse_ussd_replies(obj, QUERY_USSD_REPLY.name)

    def _required_ports(self, refs: Sequence[SlotRef]) -> list[int]:
        ports = wire_ports(refs, self.port_count)
        if not ports:
            msg = "choose at least one port"
            raise GatewayRequestError(msg)
        return ports

    # --- ports ----------------------------------------------------------------------------------------------

    @property
    def port_count(self) -> int | None:
        """Ports of the device (None before `connect()`)."""
        return self._device.port_count if self._device is not None else None

    async def get_port_info(
        self, info_types: Sequence[InfoType] = tuple(InfoType), ports: Sequence[SlotRef] = ()
    ) -> list[PortInfo]:
        """`get_port_info` with the chosen info types, for some ports or all."""
        params = without_none(
            {
                "info_type": [InfoType(item).value for item in info_types],
                "port": wire_ports(ports, self.port_count),
            }
        )
        obj = await self.call(GET_PORT_INFO, params)
        return parse_port_info(obj, GET_PORT_INFO.name)

    async def set_port_info(
        self, port: SlotRef | int, action: PortAction, param: str | None = None, *, number: str | None = None
    ) -> None:
        """`set_port_info` as is; prefer the named methods, which check their arguments."""
        await self._set_port(wire_port(port, self.port_count), PortAction(action), param, number=number)

    async def _set_port(
        self, port: int, action: PortAction, param: str | None = None, *, number: str | None = None
    ) -> None:
        capability = {
            PortAction.CALL_FORWARD: Capability.CALL_FORWARD,
            PortAction.CHECK_CALL_FORWARD: Capability.CALL_FORWARD,
            PortAction.POWER: Capability.MODULE_POWER,
            PortAction.RESET: Capability.RESET_MODULE,
        }.get(action)
        params = without_none({"port": port, "action": action.value, "param": param, "number": number})
        await self.call(SET_PORT_INFO, params, capability)

    # --- plumbing -------------------------------------------------------------------------------------------

    async def call(
        self,
        endpoint: Endpoint,
        params: Params = None,
        capability: Capability | None = None,
        *,
        check: bool = True,
        allow_empty: bool = False,
    ) -> dict[str, Any]:
        """One API call (see `connection.DinstarHttp.call`); a 404 marks `capability` as missing, then raises.

        The feature objects call the device through this, so their capability disappears (and the feature with
        it) once the firmware turned out not to have the endpoint.
        """
        try:
            return await self._http.call(endpoint, params, check=check, allow_empty=allow_empty)
        except GatewayUnsupportedError:
            if capability is not None:
                self._missing.add(capability)
            raise
        except GatewayAuthError:
            _LOGGER.debug("Dinstar gateway %s refused the login on %s", self.settings.host, endpoint.name)
            raise
