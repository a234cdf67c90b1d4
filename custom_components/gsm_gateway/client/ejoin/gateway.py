"""Skyline/EJOIN (`goip_*.html`) gateways: the reference dialect.

Every request goes through `connection.EjoinConnection` (credentials in the query string or the optional
encrypted session, and the checks every answer goes through). Decisions taken where the vendor documents are
silent or contradict each other are recorded in docs/protocol-ejoin.md; parsing lives in `parse`, `inbox` and
`push`, request building in `commands` and `send`. The v2.2/v2.4 extras that `connect()` finds are feature
objects sharing the connection: `proxy.EjoinProxy`, `ip_lists.EjoinIpLists` and `esim.EjoinEsim`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, tzinfo
import logging
import threading
from typing import Any, ClassVar

import aiohttp

from ..checks import check_imei, check_ussd_code
from ..esim import EsimFeature
from ..events import PushEvent, PushRequest
from ..exceptions import (
    GatewayCommandError,
    GatewayError,
    GatewayRequestError,
    GatewayResponseError,
    GatewayTimeoutError,
    GatewayUnsupportedError,
)
from ..gateway import Gateway, ProbeOutcome
from ..ip_lists import IpListFeature
from ..mms import check_mms
from ..models import (
    CallStatistics,
    CancelOutcome,
    CancelResult,
    Capability,
    ConnectionSettings,
    DeviceInfo,
    GatewayStatus,
    InboxPage,
    IncomingSms,
    MmsRequest,
    RecipientResult,
    RedialMode,
    SendOptions,
    SendResult,
    SetResult,
    SmsRequest,
    SmsStatistics,
    SmsTask,
    SmsTaskList,
    StatisticsPeriod,
    TaskResult,
    UssdResult,
    Vendor,
)
from ..ports import SlotRef, sim_index
from ..proxy import ProxyFeature, ProxyMode
from .commands import (
    CommandOp,
    EjoinCommand,
    check_parameter_name,
    check_sim_number,
    command_body,
    encode_parameters,
    port_numbers,
    wire_label,
    wire_ports,
)
from .connection import API_VERSION, EjoinConnection
from .encryption import CryptMode
from .esim import EjoinEsim
from .inbox import InboxBatch, parse_inbox_answer
from .ip_lists import EjoinIpLists
from .parse import (
    RowCache,
    as_int,
    as_text,
    parse_call_statistics,
    parse_gateway_status,
    parse_sms_statistics,
    parse_task_page,
    parse_task_results,
    result_code,
)
from .proxy import EjoinProxy
from .push import parse_push
from .send import (
    CODING,
    MAX_RECIPIENTS_PER_REQUEST,
    EjoinSendOptions,
    EjoinSmsTask,
    SmsType,
    TaskIdAllocator,
    check_task,
    check_text,
    request_batches,
    send_body,
    task_body,
)

_LOGGER = logging.getLogger(__name__)

MIN_STATUS_PERIOD = 60  # seconds; the device's documented minimum
FEATURE_PROBE_TIMEOUT = 5.0
DUPLICATED_TASK_ID = 13
TASKS_NOT_FOUND = 404
TASK_PAGE_SIZE = 10  # the documented default `num`
MAX_TASK_PAGES = 1000  # a device that misreports `total_num` cannot keep the client paging forever
MAX_USSD_LENGTH = 182
_PARAMETER_ANSWER_KEYS = ("pars", "params", "par", "data", "values")

BASE_CAPABILITIES = frozenset(
    {
        Capability.STATUS_PUSH,
        Capability.SMS_PUSH,
        Capability.PUSH_TARGET_API,
        Capability.INBOX_POLL,
        Capability.INBOX_DELETE,
        Capability.DELIVERY_REPORTS,
        Capability.SEND_REPORTS,
        Capability.USSD,
        Capability.SMS_STATISTICS,
        Capability.CALL_STATISTICS,
        Capability.LOCK,
        Capability.LED,
        Capability.RESET_MODULE,
        Capability.REDIAL,
        Capability.REBOOT,
        Capability.SAVE,
        Capability.SET_IMEI,
        Capability.SET_SIM_NUMBER,
        Capability.SMS_TASKS,
        Capability.SEND_QUEUE,  # counted from the task lists (`get_queue_count`)
        Capability.SMS_CANCEL,  # `goip_remove_sms.html` with the task ids of a send
        Capability.MMS,
        Capability.MMS_SEND,
        Capability.SEND_OPTIONS,
    }
)
MULTI_SLOT_CAPABILITIES = frozenset({Capability.SIM_SLOTS, Capability.SWITCH_SLOT, Capability.LOCK_SLOT})
# Found by `connect()`: the extras of later firmware.
FIRMWARE_CAPABILITIES: Mapping[Capability, str] = {
    Capability.PROXY: "EJOIN v2.2 firmware",
    Capability.IP_LISTS: "EJOIN v2.2 firmware",
    Capability.ESIM: "Skyline v2.4 firmware",
}
DECLARED_CAPABILITIES: Mapping[Capability, str | None] = {
    **dict.fromkeys(BASE_CAPABILITIES),
    **dict.fromkeys(MULTI_SLOT_CAPABILITIES, "multi-SIM models"),
    **FIRMWARE_CAPABILITIES,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class PushBuffering:
    """What every send carries while a push target is set (see docs/protocol-ejoin.md, "Push target").

    `sms_count` > 1 switches the device from the legacy plain-text forward to the buffered JSON `recv-sms`
    form, whose rows carry the device timestamp that makes pushed and polled message ids agree.
    """

    sms_count: int = 10  # `sms_cnt`
    sms_period: int = 3  # `sms_prd`, seconds: the longest an incoming SMS waits in the device's buffer
    report_count: int = 100  # `sr_cnt`
    report_period: int = 10  # `sr_prd`, seconds
    success_reports: bool = True  # `sdr` on every task, so sent messages are reported, not only failures


class EjoinGateway(Gateway):
    """Client for Skyline and EJOIN multi-port gateways (API v1.9, v2.2 and v2.4)."""

    vendor: ClassVar[Vendor] = Vendor.EJOIN
    declared_capabilities = DECLARED_CAPABILITIES
    offers_encrypted_session = True
    max_ussd_bytes = MAX_USSD_LENGTH

    def __init__(
        self,
        session: aiohttp.ClientSession | None,
        settings: ConnectionSettings,
        *,
        time_zone: tzinfo = UTC,
        encryption: CryptMode | None = None,
        task_ids: TaskIdAllocator | None = None,
        push_buffering: PushBuffering | None = None,
        detect_features: bool = True,
    ) -> None:
        """Create a client; `encryption` (AES with `settings.encrypted_session`) signs requests with a session."""
        super().__init__(session, settings, time_zone=time_zone)
        if encryption is None and settings.encrypted_session:
            encryption = CryptMode.AES
        self.connection = EjoinConnection(self.transport, encryption=encryption)
        self._proxy = EjoinProxy(self.connection)
        self._ip_lists = EjoinIpLists(self.connection)
        self._esim = EjoinEsim(self.connection)
        self.task_ids = task_ids or TaskIdAllocator()
        self.push_buffering = push_buffering or PushBuffering()
        self.push_url: str | None = None  # set by `set_push_target`; sends then ask for reports there
        self._status_rows = RowCache()
        # Pushed statuses have their own: they may list the active slots only, where polls list every slot. A big
        # push is parsed in a worker thread, so parsing one takes the lock.
        self._pushed_rows = RowCache()
        self._push_lock = threading.Lock()
        self._detect_features = detect_features
        self._features: frozenset[Capability] = frozenset()

    # --- capabilities ------------------------------------------------------------------------------------

    @property
    def capabilities(self) -> frozenset[Capability]:
        """Everything v1.9 offers, slot switching on multi-slot boxes, and the v2.2/v2.4 extras found."""
        capabilities = BASE_CAPABILITIES | self._features
        if self._device is not None and self._device.slot_count > 1:
            capabilities |= MULTI_SLOT_CAPABILITIES
        return capabilities

    @property
    def proxy(self) -> ProxyFeature | None:
        """The proxies, when `connect()` found them (v2.2 firmware)."""
        return self._proxy if Capability.PROXY in self.capabilities else None

    @property
    def ip_lists(self) -> IpListFeature | None:
        """The IP white- and blacklist, when `connect()` found them (v2.2 firmware)."""
        return self._ip_lists if Capability.IP_LISTS in self.capabilities else None

    @property
    def esim(self) -> EsimFeature | None:
        """The eSIMs, when `connect()` found them (v2.4 firmware)."""
        return self._esim if Capability.ESIM in self.capabilities else None

    # --- detection and status -----------------------------------------------------------------------------

    async def probe(self) -> ProbeOutcome:
        """One read-only `goip_get_sms.html?sms_id=1&sms_num=1` (never deletes, never sets push targets)."""
        params = {
            "username": self.settings.username,
            "password": self.settings.password,
            "sms_id": "1",
            "sms_num": "1",
        }
        response = await self.transport.request("GET", "/goip_get_sms.html", params=params)
        if response.status == 401:
            challenged = any(key.lower() == "www-authenticate" for key in response.headers)
            return ProbeOutcome.NO_MATCH if challenged else ProbeOutcome.AUTH_FAILED
        if response.status != 200:
            return ProbeOutcome.NO_MATCH
        try:
            body = response.json_object()
        except GatewayResponseError:
            return ProbeOutcome.NO_MATCH
        code = as_int(body.get("code"))
        if code == 1:
            return ProbeOutcome.AUTH_FAILED
        if "ssrc" in body or code == 0:
            return ProbeOutcome.MATCH
        return ProbeOutcome.NO_MATCH

    async def _read_status(self) -> GatewayStatus:
        # Read-only by decision: never `url=` or `period=` here, they would move or cancel the push target.
        body = await self.connection.call("GET", "/goip_get_status.html", params={"all_sims": "1"})
        try:
            status = parse_gateway_status(body, cache=self._status_rows)
        except GatewayResponseError as err:
            raise GatewayResponseError(f"goip_get_status.html: {err}") from None
        self._device = status.device
        return status

    async def connect(self) -> DeviceInfo:
        """Read the device's status (checks the credentials) and find the v2.2/v2.4 extras."""
        status = await self._read_status()
        if self._detect_features:
            self._features = await self._detect_features_present()
        return status.device

    async def _answers(self, path: str, params: Mapping[str, str]) -> bool:
        """True when a read-only GET on `path` answers with a successful JSON result."""
        try:
            await self.connection.call("GET", path, params=params, timeout=FEATURE_PROBE_TIMEOUT)
        except GatewayUnsupportedError, GatewayResponseError, GatewayCommandError, GatewayTimeoutError:
            return False
        return True

    async def _detect_features_present(self) -> frozenset[Capability]:
        found: set[Capability] = set()
        if await self._answers("/proxy", {"mode": ProxyMode.HTTP.value, "state": "1"}):
            found.add(Capability.PROXY)
        if await self._answers("/ip_white_list", {}):
            found.add(Capability.IP_LISTS)
        if await self._answers("/goip_get_esims.html", {"version": API_VERSION, "ports": "1"}):
            found.add(Capability.ESIM)
        return frozenset(found)

    async def get_status(self) -> GatewayStatus:
        """Every port and every slot (`all_sims=1`), in one request."""
        return await self._read_status()

    def parse_push(self, request: PushRequest) -> list[PushEvent]:
        """Events of one pushed request (JSON, legacy plain text or MMS)."""
        with self._push_lock:
            return parse_push(request, time_zone=self.time_zone, status_rows=self._pushed_rows)

    # --- sending ------------------------------------------------------------------------------------------

    def _send_options(self) -> EjoinSendOptions | None:
        if self.push_url is None:
            return None
        buffering = self.push_buffering
        return EjoinSendOptions(
            report_url=self.push_url,
            report_count=buffering.report_count,
            report_period=buffering.report_period,
            sms_url=self.push_url,
            sms_count=buffering.sms_count,
            sms_period=buffering.sms_period,
        )

    async def _submit(
        self, tasks: Sequence[EjoinSmsTask], options: EjoinSendOptions | None
    ) -> tuple[list[TaskResult], int]:
        for task in tasks:
            check_task(task)
        if not tasks:
            raise GatewayRequestError("nothing to send")
        ids = self.task_ids.allocate(len(tasks))
        results: dict[int, TaskResult] = {}
        requests = await self._post_batches(tasks, ids, range(len(tasks)), options, results, first=True)
        retry = [index for index in range(len(tasks)) if results[index].code == DUPLICATED_TASK_ID]
        if retry:  # ids of a previous life are still queued: jump past them and retry those tasks, once
            self.task_ids.skip_past(max(ids[index] for index in retry))
            for index, tid in zip(retry, self.task_ids.allocate(len(retry)), strict=True):
                ids[index] = tid
            requests += await self._post_batches(tasks, ids, retry, options, results, first=False)
        return [results[index] for index in range(len(tasks))], requests

    async def _post_batches(
        self,
        tasks: Sequence[EjoinSmsTask],
        ids: Sequence[int],
        indexes: Sequence[int],
        options: EjoinSendOptions | None,
        results: dict[int, TaskResult],
        *,
        first: bool,
    ) -> int:
        """Post `indexes` in requests of at most 100 tasks and 100 recipients; returns how many requests were made.

        A failure of the very first request raises (nothing was sent); a later one marks its tasks as not accepted,
        with the device's refusal or the kind of failure, and the other requests still go out.
        """
        batches = request_batches([len(tasks[index].recipients) for index in indexes])
        for number, batch in enumerate(batches):
            chosen = [indexes[position] for position in batch]
            try:
                results.update(await self._post_tasks(tasks, ids, chosen, options))
            except GatewayError as err:
                if first and number == 0:
                    raise
                code = err.code if isinstance(err, GatewayCommandError) and isinstance(err.code, int) else None
                text = err.reason if isinstance(err, GatewayCommandError) else f"no valid answer ({type(err).__name__})"
                results.update({index: TaskResult(task_id=str(ids[index]), code=code, text=text) for index in chosen})
        return len(batches)

    async def _post_tasks(
        self,
        tasks: Sequence[EjoinSmsTask],
        ids: Sequence[int],
        indexes: Iterable[int],
        options: EjoinSendOptions | None,
    ) -> dict[int, TaskResult]:
        chosen = list(indexes)
        body = send_body([task_body(tasks[index], ids[index]) for index in chosen], options)
        answer = await self.connection.call(
            "POST", "/goip_post_sms.html", params={"version": API_VERSION}, json_body=body
        )
        reported = {result.task_id: result for result in parse_task_results(answer.get("status"), "task-status")}
        return {
            index: reported.get(str(ids[index]))
            or TaskResult(task_id=str(ids[index]), code=None, text="not reported by the gateway")
            for index in chosen
        }

    def _task(
        self, recipients: tuple[str, ...], text: str, ports: Sequence[SlotRef], options: SendOptions
    ) -> EjoinSmsTask:
        """A task with what every send shares: ports, send options, and success reports while pushes come here."""
        return EjoinSmsTask(
            recipients=recipients,
            text=text,
            ports=wire_ports(ports) if ports else None,
            smsc=options.smsc,
            interval_ms=options.interval_ms,
            timeout=options.result_timeout,
            success_report=True if self.push_url and self.push_buffering.success_reports else None,
        )

    async def _send(self, template: EjoinSmsTask, recipients: tuple[str, ...], per_task: int) -> SendResult:
        """`template` to the recipients, `per_task` numbers per task; one result per number with its task's status."""
        tasks = [
            replace(template, recipients=recipients[start : start + per_task])
            for start in range(0, len(recipients), per_task)
        ]
        results, requests = await self._submit(tasks, self._send_options())
        return SendResult(
            task_ids=tuple(result.task_id for result in results),
            recipients=tuple(
                RecipientResult(
                    recipient=number, accepted=result.ok, task_id=result.task_id, code=result.code, reason=result.text
                )
                for task, result in zip(tasks, results, strict=True)
                for number in task.recipients
            ),
            requests_made=requests,
        )

    async def send_sms(self, request: SmsRequest) -> SendResult:
        """One task per recipient, so each recipient has its own task id; 100 tasks per request.

        With an interval (`intvl`, documented as the pause between two SMS of a task) the recipients share one task
        (up to 100 per task) instead, so the device spaces them; its reports still name each recipient. The text may
        take at most 10 SMS segments (`send.MAX_SEGMENTS`), checked before anything is sent.
        """
        if not request.recipients:
            raise GatewayRequestError("no recipients")
        check_text(request.text, CODING[request.encoding])
        template = replace(
            self._task((), request.text, request.ports, request.options),
            coding=CODING[request.encoding],
            delivery_report=True if request.delivery_report else None,
        )
        per_task = MAX_RECIPIENTS_PER_REQUEST if request.options.interval_ms is not None else 1
        return await self._send(template, request.recipients, per_task)

    async def send_mms(self, request: MmsRequest) -> SendResult:
        """An MMS: `smstype` 1 to one number, else `smstype` 2 ("multi-number") with up to 100 numbers per task.

        Each number gets an MMS of its own either way; sharing a task sends the attachments (up to 133 KB in base64)
        once per 100 numbers instead of once per number.
        """
        check_mms(request)
        template = replace(
            self._task((), request.text, request.ports, request.options),
            sms_type=SmsType.MMS if len(request.recipients) == 1 else SmsType.MMS_MULTI_NUMBER,
            mms_title=request.title,
            attachments=request.attachments,
        )
        return await self._send(template, request.recipients, MAX_RECIPIENTS_PER_REQUEST)

    # --- receiving ----------------------------------------------------------------------------------------

    async def _query_inbox(self, start: int, count: int, *, delete: bool = False) -> InboxBatch:
        params = {"sms_id": str(start), "sms_num": str(count)}
        if delete:
            params["sms_del"] = "1"
        body = await self.connection.call("GET", "/goip_get_sms.html", params=params)
        try:
            return parse_inbox_answer(body, start_id=start, time_zone=self.time_zone)
        except GatewayResponseError as err:
            raise GatewayResponseError(f"goip_get_sms.html: {err}") from None

    async def fetch_inbox(self, cursor: Mapping[str, Any] | None, *, limit: int = 100) -> InboxPage:
        """Received SMS and delivery reports after `cursor` (`{"ssrc", "next_sms"}`); never deletes.

        A different `ssrc` means the device restarted its numbering: the read starts again from id 1 and the
        page says `restarted=True` (callers de-duplicate by `message_id`).
        """
        if limit < 1:
            raise GatewayRequestError("limit must be at least 1")
        known_ssrc = as_text(cursor.get("ssrc")) if cursor else None
        start = as_int(cursor.get("next_sms")) if cursor else None
        start = start if start is not None and start >= 1 else 1
        batch = await self._query_inbox(start, limit)
        restarted = known_ssrc is not None and batch.ssrc is not None and batch.ssrc != known_ssrc
        if restarted and start != 1:
            start = 1
            batch = await self._query_inbox(start, limit)
        next_sms = batch.next_sms if batch.next_sms is not None else start + batch.row_count
        return InboxPage(
            messages=batch.messages,
            cursor={"ssrc": batch.ssrc, "next_sms": next_sms},
            more=batch.row_count >= limit,
            restarted=restarted,
            reports=batch.reports,
        )

    async def delete_inbox(self, messages: Sequence[IncomingSms]) -> None:
        """Delete polled messages by their device ids (`sms_del=1`), after checking the ids still match.

        Each run of consecutive ids is read once without deleting; when any message there is not the one the
        caller holds (the numbering changed), nothing is deleted. Messages without a device id (pushed ones)
        are skipped.
        """
        wanted = {sms.device_sms_id: sms.message_id for sms in messages if sms.device_sms_id is not None}
        if len(wanted) < len(messages):
            _LOGGER.debug("%d messages have no device id and cannot be deleted", len(messages) - len(wanted))
        runs = _runs(sorted(wanted))
        for start, count in runs:
            batch = await self._query_inbox(start, count)
            found = {sms.device_sms_id: sms.message_id for sms in batch.messages}
            if any(found.get(device_id) != wanted[device_id] for device_id in range(start, start + count)):
                raise GatewayResponseError(
                    "goip_get_sms.html: the inbox changed since it was read (restart?); nothing was deleted"
                )
        for start, count in runs:
            await self._query_inbox(start, count, delete=True)

    # --- USSD ---------------------------------------------------------------------------------------------

    async def send_ussd(self, ref: SlotRef, code: str) -> UssdResult:
        """`goip_send_ussd.html?port&ussd` (inferred from public clients); the reply comes back in `resp`."""
        code = check_ussd_code(code, MAX_USSD_LENGTH)
        answer = await self.connection.call(
            "GET", "/goip_send_ussd.html", params={"port": wire_label(ref), "ussd": code}
        )
        result, reason = result_code(answer)
        reply = answer.get("resp")
        return UssdResult(
            port_label=ref.label,
            accepted=True,
            reply=reply if isinstance(reply, str) and reply.strip() else None,
            code=result,
            reason=reason,
        )

    # --- commands -----------------------------------------------------------------------------------------

    async def run_command(self, command: EjoinCommand) -> None:
        """Send one JSON command."""
        await self.connection.call(
            "POST", "/goip_send_cmd.html", params={"version": API_VERSION}, json_body=command_body(command)
        )

    @staticmethod
    def _ports(refs: Sequence[SlotRef]) -> str:
        if not refs:
            raise GatewayRequestError("no ports given")
        return wire_ports(refs)

    async def lock(self, refs: Sequence[SlotRef]) -> None:
        """Lock SIM slots (a ref without a slot locks the whole port)."""
        await self.run_command(EjoinCommand(op=CommandOp.LOCK, ports=self._ports(refs)))

    async def unlock(self, refs: Sequence[SlotRef]) -> None:
        """Unlock SIM slots (a ref without a slot unlocks the whole port)."""
        await self.run_command(EjoinCommand(op=CommandOp.UNLOCK, ports=self._ports(refs)))

    async def switch_slot(self, ref: SlotRef) -> None:
        """Make `ref.slot` the active slot of its port."""
        if ref.slot is None:
            raise GatewayRequestError("switching needs a slot, e.g. 2B")
        await self.run_command(EjoinCommand(op=CommandOp.SWITCH, ports=wire_label(ref)))

    async def reset_module(self, ports: Sequence[int]) -> None:
        """Restart the modules of these ports (`reset` takes port numbers only)."""
        if not ports:
            raise GatewayRequestError("no ports given")
        await self.run_command(EjoinCommand(op=CommandOp.RESET, ports=port_numbers(ports)))

    async def redial(self, refs: Sequence[SlotRef], mode: RedialMode, delay: int | None = None) -> None:
        """Dial again; `delay` (seconds after registering) only applies to flight mode."""
        if delay is not None and (delay < 0 or mode is not RedialMode.FLIGHT):
            raise GatewayRequestError("delay is a number of seconds >= 0 and only applies to flight mode")
        await self.run_command(EjoinCommand(op=CommandOp.REDIAL, ports=self._ports(refs), mode=mode, delay=delay))

    async def set_led(self, refs: Sequence[SlotRef], *, on: bool) -> None:
        """Turn port LEDs on or off."""
        op = CommandOp.LED_ON if on else CommandOp.LED_OFF
        await self.run_command(EjoinCommand(op=op, ports=self._ports(refs)))

    async def reboot(self) -> None:
        """Reboot the gateway (its inbox numbering restarts: the next poll reports `restarted`)."""
        await self.run_command(EjoinCommand(op=CommandOp.REBOOT))

    async def save(self) -> None:
        """Save the running configuration."""
        await self.run_command(EjoinCommand(op=CommandOp.SAVE))

    # --- parameters (op=set / op=get) ---------------------------------------------------------------------

    async def set_parameters(self, values: Mapping[str, str]) -> SetResult:
        """Plain-text `op=set`: `name=value&...`; the answer's `par_set` says how many were taken."""
        answer = await self.connection.call(
            "POST", "/goip_send_cmd.html", params={"op": "set"}, text_body=encode_parameters(values)
        )
        confirmed = as_int(answer.get("par_set"))
        return SetResult(confirmed=len(values) if confirmed is None else confirmed, requested=len(values))

    async def get_parameters(self, names: Sequence[str]) -> dict[str, str]:
        """`op=get` with the names as empty query parameters; names the device does not return are absent."""
        if not names:
            raise GatewayRequestError("no parameters to read")
        params = {"op": "get", **{check_parameter_name(name): "" for name in names}}
        answer = await self.connection.call("GET", "/goip_send_cmd.html", params=params)
        source: Mapping[str, Any] = answer
        for key in _PARAMETER_ANSWER_KEYS:
            if isinstance(answer.get(key), Mapping):
                source = answer[key]
                break
        values: dict[str, str] = {}
        for name in names:
            value = source.get(name)
            if value is not None and not isinstance(value, Mapping | list):
                values[name] = str(value)
        return values

    async def _set_one(self, name: str, value: str) -> SetResult:
        result = await self.set_parameters({name: value})
        if not result.ok:
            raise GatewayCommandError(
                0, f"the gateway did not take {name.split('(', maxsplit=1)[0]}", endpoint="goip_send_cmd"
            )
        return result

    def _sim_index(self, ref: SlotRef) -> int:
        try:
            return sim_index(ref, self.device.slot_count)
        except ValueError as err:
            raise GatewayRequestError(str(err)) from None

    async def set_imei(self, ref: SlotRef, imei: str) -> SetResult:
        """`sim_imei(n)=<imei>` with n = (port-1)*slots + (slot-1); the IMEI must pass the Luhn check."""
        imei = check_imei(imei)
        return await self._set_one(f"sim_imei({self._sim_index(ref)})", imei)

    async def set_sim_number(self, ref: SlotRef, number: str) -> SetResult:
        """`sim_number(n)=<number>` (same index as the IMEI)."""
        number = check_sim_number(number)
        return await self._set_one(f"sim_number({self._sim_index(ref)})", number)

    async def set_sms_url(self, url: str | None) -> SetResult:
        """Where incoming SMS are forwarded (`sms_url`); None clears it."""
        return await self._set_one("sms_url", url or "")

    # --- push target --------------------------------------------------------------------------------------

    async def set_push_target(self, url: str | None, *, period: int = MIN_STATUS_PERIOD) -> None:
        """Point status pushes, incoming SMS and (via every later send) status reports at `url`.

        Status: `goip_get_status.html?url&period`; SMS: `op=set sms_url`; reports: `sr_url` in each send.
        None cancels status pushes (`period=0`) and clears `sms_url`. The device has ONE status target: this
        replaces whatever was there (tell the user first).
        """
        params = {"period": "0"} if url is None else {"url": url, "period": str(max(period, MIN_STATUS_PERIOD))}
        await self.connection.call("GET", "/goip_get_status.html", params=params)
        await self.set_sms_url(url)
        self.push_url = url

    async def get_push_target(self) -> str | None:
        """The `sms_url` the device forwards incoming SMS to (None when empty).

        The status push target cannot be read: the API has no way to ask for it. Firmware that refuses `op=get`
        raises `GatewayCommandError` (code 15).
        """
        return (await self.get_parameters(["sms_url"])).get("sms_url") or None

    async def restore_push_target(self, sms_url: str | None) -> None:
        """Stop the status pushes and give the SMS forward back to `sms_url` (None: clear it)."""
        await self.connection.call("GET", "/goip_get_status.html", params={"period": "0"})
        await self.set_sms_url(sms_url)
        self.push_url = None

    # --- send tasks ---------------------------------------------------------------------------------------

    async def list_sms_tasks(self, port: int) -> SmsTaskList:
        """Every queued task of a port, page by page (404 "Tasks Not Found" is an empty queue).

        Paging stops after `MAX_TASK_PAGES` pages (a device that misreports `total_num` cannot keep the client paging
        forever); the result then says `truncated=True`. `total` is the device's last `total_num`.
        """
        tasks: list[SmsTask] = []
        total: int | None = None
        for _ in range(MAX_TASK_PAGES):
            page, reported = await self._task_page(port, len(tasks), content=True)
            total = reported if reported is not None else total
            tasks.extend(page)
            if not page or (total is not None and len(tasks) >= total):
                break
        else:
            return SmsTaskList(tasks=tuple(tasks), total=total, truncated=True)
        return SmsTaskList(tasks=tuple(tasks), total=total, truncated=False)

    async def _task_page(self, port: int, pos: int, *, content: bool) -> tuple[list[SmsTask], int | None]:
        """One page of a port's queue and the device's `total_num`; code 404 ("Tasks Not Found") is an empty queue."""
        params = {
            "version": API_VERSION,
            "port": str(port),
            "pos": str(pos),
            "num": str(TASK_PAGE_SIZE),
            "has_content": "1" if content else "0",
        }
        try:
            answer = await self.connection.call("GET", "/goip_get_tasks.html", params=params)
        except GatewayCommandError as err:
            if err.code == TASKS_NOT_FOUND:
                return [], None
            raise
        return parse_task_page(answer)

    async def get_queue_count(self) -> int:
        """Tasks waiting in the send queue (paused ones too), in one `goip_get_tasks.html` request per port.

        Home Assistant sends one task per recipient, so a task is one SMS. Each port's first page (without texts)
        gives its task ids and `total_num`: a task listed under several ports counts once while it is on their
        first pages, and once per port beyond them. The cost stays one request per port however long the queue.
        """
        seen: set[str] = set()
        beyond = 0
        for port in range(1, self.device.port_count + 1):
            page, total = await self._task_page(port, 0, content=False)
            seen.update(task.task_id for task in page)
            beyond += max((total or 0) - len(page), 0)
        return len(seen) + beyond

    async def cancel_sms_tasks(self, task_ids: Sequence[str]) -> list[CancelResult]:
        """Remove the tasks from the queue (`goip_remove_sms.html`), all in one request.

        Status 0 is CANCELLED. The documents have no status for an unknown task: an answer of code 404 ("Tasks Not
        Found": none of them is queued), a task left out of the results and a status 404 are NOT_FOUND; any other
        status is REFUSED with the device's code and text. No ids, no request: a request without `tids` would
        remove every task.
        """
        if not task_ids:
            return []
        try:
            answered = await self._task_call("/goip_remove_sms.html", task_ids)
        except GatewayCommandError as err:
            if err.code != TASKS_NOT_FOUND:
                raise
            answered = []
        by_id = {result.task_id: result for result in answered}
        results: list[CancelResult] = []
        for task_id in (str(int(tid)) for tid in task_ids):
            result = by_id.get(task_id)
            if result is None or result.code == TASKS_NOT_FOUND:
                results.append(CancelResult(task_id=task_id, outcome=CancelOutcome.NOT_FOUND, text="task not found"))
            else:
                outcome = CancelOutcome.CANCELLED if result.ok else CancelOutcome.REFUSED
                results.append(CancelResult(task_id=task_id, outcome=outcome, code=result.code, text=result.text))
        return results

    async def _task_call(self, path: str, task_ids: Sequence[str] | None) -> list[TaskResult]:
        body: dict[str, Any] = {}
        if task_ids is not None:
            try:
                body["tids"] = [int(tid) for tid in task_ids]
            except ValueError:
                raise GatewayRequestError("task ids are integers") from None
        answer = await self.connection.call("POST", path, params={"version": API_VERSION}, json_body=body)
        return parse_task_results(answer.get("results"), "results")

    async def pause_sms_tasks(self, task_ids: Sequence[str] | None) -> list[TaskResult]:
        """Pause queued tasks (None: all; the device then returns no per-task results)."""
        return await self._task_call("/goip_pause_sms.html", task_ids)

    async def resume_sms_tasks(self, task_ids: Sequence[str] | None) -> list[TaskResult]:
        """Resume paused tasks (None: all)."""
        return await self._task_call("/goip_resume_sms.html", task_ids)

    async def delete_sms_tasks(self, task_ids: Sequence[str] | None) -> list[TaskResult]:
        """Delete queued tasks (None: all)."""
        return await self._task_call("/goip_remove_sms.html", task_ids)

    # --- statistics ---------------------------------------------------------------------------------------

    @staticmethod
    def _stat_params(
        period: StatisticsPeriod, ports: Sequence[int] | None, slots: Sequence[int] | None, current_only: bool
    ) -> dict[str, str]:
        params = {"version": API_VERSION, "type": str(int(period))}
        params["ports"] = port_numbers(ports) if ports else "all"
        if not current_only:
            params["slots"] = port_numbers(slots) if slots else "all"
        return params

    async def sms_statistics(
        self,
        period: StatisticsPeriod,
        *,
        ports: Sequence[int] | None = None,
        slots: Sequence[int] | None = None,
        current_card_only: bool = False,
    ) -> list[SmsStatistics]:
        """SMS counters for chosen ports and slots (default: every port and slot)."""
        params = self._stat_params(period, ports, slots, current_card_only)
        return parse_sms_statistics(await self.connection.call("GET", "/goip_get_sms_stat.html", params=params))

    async def call_statistics(
        self,
        period: StatisticsPeriod,
        *,
        ports: Sequence[int] | None = None,
        slots: Sequence[int] | None = None,
        current_card_only: bool = False,
    ) -> list[CallStatistics]:
        """Call counters for chosen ports and slots (default: every port and slot)."""
        params = self._stat_params(period, ports, slots, current_card_only)
        return parse_call_statistics(await self.connection.call("GET", "/goip_get_call_stat.html", params=params))

    async def get_sms_statistics(self, period: StatisticsPeriod) -> list[SmsStatistics]:
        """SMS counters of every slot."""
        return await self.sms_statistics(period)

    async def get_call_statistics(self, period: StatisticsPeriod) -> list[CallStatistics]:
        """Call counters of every slot."""
        return await self.call_statistics(period)


def _runs(ids: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive ids as (start, count): [3, 4, 5, 9] → [(3, 3), (9, 1)]."""
    runs: list[tuple[int, int]] = []
    for device_id in ids:
        if runs and runs[-1][0] + runs[-1][1] == device_id:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((device_id, 1))
    return runs
