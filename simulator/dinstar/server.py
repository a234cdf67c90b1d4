"""Simulated Dinstar UC2000/DWG gateway ("new-version API").

Paths: `/api/*`, `/GetSTKView`, `/STKGo` and `/GetSTKCurrFrameIndex`.

Wire numbering as on the device: ports 0-31 (`ports` is capped at 32), slots 0-3 on multi-SIM models
(`slots` > 1) and 255 on single-SIM models. The clock runs in `time_zone` (UTC unless changed).

Login: HTTP Digest (MD5, `qop="auth"`, realm `Web Server`) with a nonce that can be reused for
`auth.nonce_ttl` seconds; an expired or force-expired nonce gets 401 `stale=true` (see `dinstar_auth`).
Paths the device does not serve answer 404 without asking for credentials (so the EJOIN probe
`/goip_get_sms.html` gets a plain 404). `sim.auth.attempts` lists what the login check saw per request.

The device is stateful: sends wait in a queue and go out one by one every `send_interval` seconds. A queued
message is placed on a port when it is accepted and `query_sms_result` lists it as SENDING until it went out
(then SENT_OK or FAILED after `send_duration`; it moves to another usable port of its task when its own cannot
send any more). `stop_sms` and a reboot drop queued messages from the queue and from the results. While sends
are held (`hold_sends`), messages stay queued (and counted by `query_sms_in_queue`) until released or flushed.
Delivery statuses follow `delivery_delay` later when asked for, USSD replies come `ussd_delay` later, received SMS
get increasing ids. Events are pushed to the URL set with the `set_push_url` control action (the real device has it
in its web UI): `sms`, `sms_result`, `sms_deliver_status`, `ussd`, `register`, `cdr`, `device`, `exception_info`.

Variants (`self.variants`, or POST /_sim/variants {"enable": [...]}):
- `basic-auth`: a Basic challenge instead of Digest.
- `no-auth`: no login at all.
- `hang-on-empty-probe`: a POST without credentials and with an empty body hangs (until `faults.hang_seconds`).
- `lockout`: every 401 counts as a failed login (probes too); `lockout_after` (5) within `lockout_window`
  (300 s) refuse everything for `lockout_seconds` (60 s).
- `auth-everywhere`: unknown paths ask for credentials (401) instead of answering 404.
- `strict-methods`: only the method the spec names first is accepted; the other gets 403.
- `swapped-methods`: only the other method is accepted (`send_sms` stays POST); the spec's gets 403.
- `method-405`: the wrong method gets 405 instead of 403.
- `queue-name-queue` / `queue-name-count`: the queue endpoint is `query_sms_queue` / `query_sms_count`; the
  spec's `query_sms_in_queue` answers 404.
- `no-queue`: none of the three queue endpoints exists (each answers 404), as on firmware without a queue query.
- `no-error-code`: answers leave `error_code` out.
- `string-numbers`: every number in answers is a string (`"error_code":"200"`, `"port":"1"`).
- `get_port_info` accepts both spellings of the drifting names in requests: the request table's
  `remain_daily_calltime`, `remain_hourly_calltime`, `remain_daily_connect`, `CallForward` and the example
  answer's `remain_daily_call_time`, `remain_hourly_call_time`, `remain_daily_connected`, `CallForwarding`. By
  default the answer uses the spelling that was asked for (`CallForward` is answered as `CallForwarding`, as in
  the spec's call-forwarding example).
- `alt-field-names`: answers always use the request table's spellings (`remain_daily_calltime`, ...,
  `CallForward`), whatever was asked.
- `example-field-names`: answers always use the example answer's spellings (`remain_daily_call_time`, ...,
  `CallForwarding`), whatever was asked: the spec's example exactly.
- `cdr-under-info`: `get_cdr` lists CDRs under `info` instead of `cdr`.
- `reg-registered` / `reg-mobile-registered`: `reg` says `REGISTERED` / `Mobile Registered` for `REGISTER_OK`.
- `url-encoded-text`: SMS and USSD texts are URL-encoded, in answers and pushes.
- `batch-push`: events within `push_batch_window` seconds go out in one push (several rows and sections).
- `concatenated-push`: a batched push is several JSON objects back to back (needs `batch-push`).
- `volatile-inbox`: `reboot` empties the inbox and restarts its numbering.

Control actions (POST /_sim/<action> with a JSON body; ports and slots are 1-based as users see them, like the
other simulators: port 1 is wire port 0, slot 1 is wire slot 0):
`set_push_url {url}`,
`deliver_sms {port, sender (or number), text, slot? (ignored: SMS arrive on the active SIM), smsc?,
timestamp?: "YYYY-MM-DD HH:MM:SS"}`, `set_reg {port, reg}`, `remove_sim {port, slot?}`, `insert_sim {port, slot?}`,
`set_signal {port, signal}`, `set_busy {port, busy}`,
`add_call {port, direction?, duration?, answered?, source?, destination?}`,
`raise_exception {port, type, action?}`, `reboot {}`, `expire_nonces {}`, `unlock_login {}`,
`fail_number {number, undeliverable?}`, `set_balance {port, slot?, balance}` (a SIM at 0 or less stays registered
and its `remain_credit` shows it; the network refuses its SMS, so each one it sends ends FAILED), `set_ussd_reply
{code, text}`, `flush {}` (send everything queued now, held or not), `hold_sends {hold?: true}` (keep sends in the
queue until `hold_sends {"hold": false}`, which lets them go out again every `send_interval`),
`configure {send_interval?, send_duration?, delivery_delay?, ussd_delay?, lockout_after?, lockout_window?,
lockout_seconds?, nonce_ttl?, method_reject_status?, push_batch_window?}`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, tzinfo
import itertools
import json
import logging
from typing import Any, ClassVar
from urllib.parse import quote

from aiohttp import web

from ..base import GatewaySimulator, register
from ..data import DemoMessages, make_sim
from .auth import AuthGuard
from .state import REGISTER_OK, CallRecord, DinstarState, InboxMessage, Port, SentRecord

_LOGGER = logging.getLogger(__name__)

MAX_PORTS = 32
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
QUEUE_PATHS = {
    "/api/query_sms_in_queue": None,
    "/api/query_sms_queue": "queue-name-queue",
    "/api/query_sms_count": "queue-name-count",
}
# `get_port_info` names spelt two ways: (the request table's, the example answer's). Requests may use either.
DRIFTING_NAMES = (
    ("remain_daily_calltime", "remain_daily_call_time"),
    ("remain_hourly_calltime", "remain_hourly_call_time"),
    ("remain_daily_connect", "remain_daily_connected"),
    ("CallForward", "CallForwarding"),
)
SPELLINGS = {name: pair for pair in DRIFTING_NAMES for name in pair}
INFO_TYPES = frozenset({
    "type", "imei", "imsi", "iccid", "smsc", "number", "reg", "slot", "callstate", "signal", "gprs",
    "remain_credit", "remain_monthly_credit", "remain_daily_credit", *SPELLINGS,
})  # fmt: skip

type ApiHandler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class _BadRequestError(Exception):
    """The device answers `{"error_code": code}`."""

    def __init__(self, code: int = 400) -> None:
        super().__init__(code)
        self.code = code


@register
class DinstarSimulator(GatewaySimulator):
    """A stateful Dinstar UC/DWG gateway."""

    vendor: ClassVar[str] = "dinstar"

    def __init__(self, **kwargs: Any) -> None:
        """Create the device: `ports` (at most 32) modules with `slots` SIMs each."""
        super().__init__(**kwargs)
        self.port_count = min(max(self.port_count, 1), MAX_PORTS)
        self.slot_count = min(max(self.slot_count, 1), 4)
        self.time_zone: tzinfo = UTC
        self.serial = "-".join(f"{self.rng.getrandbits(16):04x}" for _ in range(4))
        self.mac = "F8-A0-3D-" + "-".join(f"{self.rng.getrandbits(8):02X}" for _ in range(3))
        self.state = DinstarState(ports=self.port_count, slots=self.slot_count, rng=self.rng, now=self.now)
        self.auth = AuthGuard(self.username, self.password, self.rng)
        self.push_url: str | None = None
        self.send_interval = 0.2
        self.send_duration = 0.1
        self.delivery_delay = 0.3
        self.ussd_delay = 0.1
        self.method_reject_status = 403
        self.push_batch_window = 0.05
        self.lockout_after = 5
        self._push_queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._queue_changed = asyncio.Event()
        self.sends_held = False  # `hold_sends`: queued messages wait until released

    def now(self) -> datetime:
        """The device clock."""
        return datetime.now(self.time_zone).replace(microsecond=0)

    # --- routes -------------------------------------------------------------------------------------------

    def _handlers(self) -> dict[str, tuple[str, ApiHandler]]:
        return {
            "/api/send_sms": ("POST", self._send_sms),
            "/api/query_sms_result": ("POST", self._query_sms_result),
            "/api/query_sms_deliver_status": ("POST", self._query_deliver_status),
            **dict.fromkeys(QUEUE_PATHS, ("GET", self._query_queue)),
            "/api/query_incoming_sms": ("GET", self._query_incoming_sms),
            "/api/send_ussd": ("POST", self._send_ussd),
            "/api/query_ussd_reply": ("GET", self._query_ussd_reply),
            "/api/stop_sms": ("GET", self._stop_sms),
            "/api/get_port_info": ("GET", self._get_port_info),
            "/api/set_port_info": ("GET", self._set_port_info),
            "/api/get_cdr": ("POST", self._get_cdr),
            "/api/get_status": ("POST", self._get_status),
            "/GetSTKView": ("GET", self._stk_view),
            "/STKGo": ("POST", self._stk_go),
            "/GetSTKCurrFrameIndex": ("GET", self._stk_frame),
        }

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Every API path; the method check happens in `_dispatch` (the device answers 403, not 405)."""
        for path in self._handlers():
            router.add_route("*", path, self._dispatch)

    def _method_allowed(self, path: str, method: str, spec_method: str) -> bool:
        if "strict-methods" in self.variants:
            return method == spec_method
        if "swapped-methods" in self.variants and path != "/api/send_sms":
            return method != spec_method
        return method in {"GET", "POST"}

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        if request.get("dinstar_hang"):
            await self._hang()
            raise web.HTTPServiceUnavailable
        spec_method, handler = self._handlers()[request.path]
        wanted_variant = QUEUE_PATHS.get(request.path, "")
        if request.path in QUEUE_PATHS and (
            not self._queue_path_enabled(wanted_variant) or "no-queue" in self.variants
        ):
            raise web.HTTPNotFound
        if not self._method_allowed(request.path, request.method, spec_method):
            status = 405 if "method-405" in self.variants else self.method_reject_status
            return web.Response(status=status, text="Forbidden")
        try:
            params = await self._params(request)
            answer = await handler(params)
        except _BadRequestError as err:
            answer = {"error_code": err.code, "sn": self.serial}
        return self._reply(answer)

    def _queue_path_enabled(self, variant: str | None) -> bool:
        chosen = {"queue-name-queue", "queue-name-count"} & self.variants
        if variant is None:
            return not chosen
        return variant in chosen

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        body = await request.read()
        if request.method == "POST" and body.strip():
            try:
                value = json.loads(body)
            except ValueError:
                raise _BadRequestError from None
            if isinstance(value, dict):
                params.update(value)
            elif isinstance(value, list):
                params.update({str(item): "" for item in value})
            else:
                raise _BadRequestError
        return params

    def _reply(self, answer: dict[str, Any]) -> web.Response:
        if "no-error-code" in self.variants:
            answer.pop("error_code", None)
        if "string-numbers" in self.variants:
            answer = _stringify(answer)
        return web.Response(status=200, text=json.dumps(answer, ensure_ascii=False), content_type="application/json")

    # --- authentication -----------------------------------------------------------------------------------

    def authenticate(self, request: web.Request, body: bytes) -> web.StreamResponse | None:
        """Digest (or Basic) as described in the module doc; unknown paths skip the login."""
        if request.match_info.http_exception is not None and "auth-everywhere" not in self.variants:
            return None
        self.auth.basic = "basic-auth" in self.variants
        self.auth.lockout_after = self.lockout_after if "lockout" in self.variants else None
        if "no-auth" in self.variants:
            return None
        header = request.headers.get("Authorization")
        if not header and request.method == "POST" and not body and "hang-on-empty-probe" in self.variants:
            request["dinstar_hang"] = True
            return None
        outcome = self.auth.check(request.method, request.raw_path, header, request.path)
        if outcome == "ok":
            return None
        return self._challenge_response(stale=outcome == "stale")

    def refusal(self, request: web.Request, reason: str, code: int | None) -> web.StreamResponse:  # noqa: ARG002
        """`{"error_code": <code, 500 by default>, "reason": <reason>}`.

        The spec's answers carry a code only, but firmware adds text to some, and a code is whatever it puts there.
        """
        return self._reply({"error_code": 500 if code is None else code, "sn": self.serial, "reason": reason})

    def reject_credentials(self, request: web.Request) -> web.StreamResponse:  # noqa: ARG002
        """A bad login: 401 with a fresh challenge."""
        return self._challenge_response(stale=False)

    def _challenge_response(self, *, stale: bool) -> web.Response:
        return web.Response(
            status=401,
            text="<html><body><h1>401 Unauthorized</h1></body></html>",
            content_type="text/html",
            headers={"WWW-Authenticate": self.auth.challenge(stale=stale)},
        )

    # --- parameters ---------------------------------------------------------------------------------------

    def _port_list(self, params: dict[str, Any], key: str = "port", *, required: bool = False) -> list[int] | None:
        raw = params.get(key)
        if raw is None or raw in ("", []):
            if required:
                raise _BadRequestError
            return None
        items: list[Any]
        if isinstance(raw, list):
            items = raw
        elif isinstance(raw, int) and not isinstance(raw, bool):
            items = [raw]
        elif isinstance(raw, str):
            items = [part for part in raw.split(",") if part.strip()]
        else:
            raise _BadRequestError
        ports = [_int(item) for item in items]
        if any(port is None or not 0 <= port < self.port_count for port in ports):
            raise _BadRequestError
        return [port for port in ports if port is not None]

    def _one_port(self, params: dict[str, Any]) -> Port:
        ports = self._port_list(params, required=True)
        if ports is None or len(ports) != 1:
            raise _BadRequestError
        return self.state.ports[ports[0]]

    @staticmethod
    def _list(params: dict[str, Any], key: str) -> list[str]:
        raw = params.get(key)
        if raw is None or raw == "":
            return []
        if isinstance(raw, list):
            return [str(item).strip() for item in raw]
        return [part.strip() for part in str(raw).split(",") if part.strip()]

    def _time_param(self, params: dict[str, Any], key: str) -> datetime | None:
        raw = params.get(key)
        if not raw:
            return None
        try:
            return datetime.strptime(" ".join(str(raw).split()), TIME_FORMAT).replace(tzinfo=self.time_zone)
        except ValueError:
            raise _BadRequestError from None

    def _text(self, text: str) -> str:
        return quote(text, safe="") if "url-encoded-text" in self.variants else text

    def _reg_word(self, reg: str) -> str:
        if reg == REGISTER_OK and "reg-registered" in self.variants:
            return "REGISTERED"
        if reg == REGISTER_OK and "reg-mobile-registered" in self.variants:
            return "Mobile Registered"
        return reg

    def _fmt(self, moment: datetime | None) -> str:
        return moment.astimezone(self.time_zone).strftime(TIME_FORMAT) if moment else ""

    # --- SMS ----------------------------------------------------------------------------------------------

    async def _send_sms(self, params: dict[str, Any]) -> dict[str, Any]:
        text, entries = params.get("text"), params.get("param")
        if not isinstance(text, str) or not text or not isinstance(entries, list) or not entries:
            raise _BadRequestError
        if len(entries) > 128 or len(text.encode()) > 1500:
            raise _BadRequestError(413)
        encoding = params.get("encoding", "unicode")
        report = params.get("request_status_report", True)
        if encoding not in {"unicode", "gsm-7bit"} or report not in {True, False, "true", "false"}:
            raise _BadRequestError
        cleaned: list[dict[str, Any]] = []
        for entry in entries:
            number = entry.get("number") if isinstance(entry, dict) else None
            user_id = entry.get("user_id") if isinstance(entry, dict) else None
            if not isinstance(number, str) or not number or len(number.encode()) > 24:
                raise _BadRequestError
            if user_id is not None and (_int(user_id) is None or _int(user_id) < 0):  # type: ignore[operator]
                raise _BadRequestError
            cleaned.append({"number": number, "user_id": _int(user_id), "text_param": entry.get("text_param")})
        ports = self._port_list(params)
        if not self.state.can_send_from(ports):
            return {"error_code": 550, "sn": self.serial}
        task_id = self.state.enqueue(text, cleaned, ports, encoding, report in {True, "true"})
        self._queue_changed.set()
        return {"error_code": 202, "sn": self.serial, "sms_in_queue": len(self.state.queue), "task_id": task_id}

    def _result_row(self, record: SentRecord) -> dict[str, Any]:
        row: dict[str, Any] = {
            "port": record.port,
            "number": record.number,
            "time": self._fmt(record.time),
            "status": record.status,
            "count": record.count,
            "succ_count": record.succ_count,
            "ref_id": record.ref_id,
            "imsi": record.imsi,
        }
        if record.user_id is not None:
            row["user_id"] = record.user_id
        return row

    def _filter_window(self, params: dict[str, Any]) -> Callable[[datetime], bool]:
        after, before = self._time_param(params, "time_after"), self._time_param(params, "time_before")
        return lambda moment: (after is None or moment >= after) and (before is None or moment <= before)

    async def _query_sms_result(self, params: dict[str, Any]) -> dict[str, Any]:
        numbers = self._list(params, "number")
        if len(numbers) > 32:
            raise _BadRequestError(413)
        user_ids = {_int(item) for item in self._list(params, "user_id")}
        ports = self._port_list(params)
        within = self._filter_window(params)
        rows = [
            self._result_row(record)
            for record in self.state.sent
            if (not numbers or record.number in numbers)
            and (not user_ids or record.user_id in user_ids)
            and (ports is None or record.port in ports)
            and within(record.time)
        ]
        return {"error_code": 200, "sn": self.serial, "result": rows}

    async def _query_deliver_status(self, params: dict[str, Any]) -> dict[str, Any]:
        numbers = self._list(params, "number")
        if len(numbers) > 32:
            raise _BadRequestError(413)
        ports = self._port_list(params)
        within = self._filter_window(params)
        rows = [
            {
                "port": report.port,
                "number": report.number,
                "time": self._fmt(report.time),
                "ref_id": report.ref_id,
                "status_code": report.status_code,
                "imsi": report.imsi,
            }
            for report in self.state.delivered
            if (not numbers or report.number in numbers)
            and (ports is None or report.port in ports)
            and within(report.time)
        ]
        return {"error_code": 200, "sn": self.serial, "result": rows}

    async def _query_queue(self, _params: dict[str, Any]) -> dict[str, Any]:
        return {"error_code": 200, "sn": self.serial, "in_queue": len(self.state.queue)}

    async def _stop_sms(self, params: dict[str, Any]) -> dict[str, Any]:
        task_id = _int(params.get("task_id"))
        if task_id is None:
            raise _BadRequestError
        return {"error_code": 200 if self.state.stop_task(task_id) else 404, "sn": self.serial}

    def _sms_row(self, message: InboxMessage) -> dict[str, Any]:
        return {
            "incoming_sms_id": message.sms_id,
            "port": message.port,
            "number": message.number,
            "smsc": message.smsc,
            "timestamp": self._fmt(message.received),
            "text": self._text(message.text),
        }

    async def _query_incoming_sms(self, params: dict[str, Any]) -> dict[str, Any]:
        after = _int(params.get("incoming_sms_id", 0) or 0)
        flag = str(params.get("flag") or "unread")
        if after is None or flag not in {"unread", "read", "all"}:
            raise _BadRequestError
        ports = self._port_list(params)
        chosen = [
            message
            for message in self.state.inbox
            if message.sms_id > after
            and (ports is None or message.port in ports)
            and (flag == "all" or message.read == (flag == "read"))
        ]
        rows = [self._sms_row(message) for message in chosen]
        if flag == "unread":
            for message in chosen:
                message.read = True
        read = sum(1 for message in self.state.inbox if message.read)
        return {
            "error_code": 200,
            "sn": self.serial,
            "sms": rows,
            "read": read,
            "unread": len(self.state.inbox) - read,
        }

    # --- USSD ---------------------------------------------------------------------------------------------

    async def _send_ussd(self, params: dict[str, Any]) -> dict[str, Any]:
        ports = self._port_list(params, required=True) or []
        command = str(params.get("command") or "send")
        text = params.get("text")
        text = "" if text is None else str(text)
        if command not in {"send", "cancel"} or (command == "send" and not text) or len(text.encode()) > 60:
            raise _BadRequestError
        results = []
        for index in ports:
            port = self.state.ports[index]
            if not port.registered:
                status = 503
            elif port.busy and command == "send":
                status = 486
            else:
                status = 200
                if command == "send":
                    port.busy = True
                    self.spawn(self._answer_ussd(port, text), name="dinstar-ussd")
                else:
                    port.busy = False
            results.append({"port": index, "status": status})
        return {"error_code": 202, "sn": self.serial, "result": results}

    async def _answer_ussd(self, port: Port, code: str) -> None:
        await asyncio.sleep(self.ussd_delay)
        if not port.busy:
            return  # cancelled meanwhile
        port.busy = False
        port.ussd_reply = self.state.ussd_answer(port, code)
        self._emit("ussd", [{"port": port.index, "text": self._text(port.ussd_reply)}])

    async def _query_ussd_reply(self, params: dict[str, Any]) -> dict[str, Any]:
        ports = self._port_list(params, required=True) or []
        rows = [{"port": index, "text": self._text(self.state.ports[index].ussd_reply)} for index in ports]
        return {"error_code": 200, "sn": self.serial, "reply": rows}

    # --- ports --------------------------------------------------------------------------------------------

    def _answer_name(self, asked: str) -> str:
        """The key an answer uses for the info type `asked`.

        The spelling asked for (`CallForward` is answered as `CallForwarding`, as in the spec's example), or one
        spelling throughout with a field-name variant.
        """
        if asked not in SPELLINGS:
            return asked
        table, example = SPELLINGS[asked]
        if "alt-field-names" in self.variants:
            return table
        if "example-field-names" in self.variants or table == "CallForward":
            return example
        return asked

    def _info_values(self, port: Port) -> dict[str, Any]:
        """Every `get_port_info` value of a port, by the request table's names."""
        card = port.card
        return {
            "type": port.module_type,
            "imei": port.imei,
            "imsi": card.imsi if card and port.powered else "",
            "iccid": card.iccid if card and port.powered else "",
            "smsc": "+491770610000" if card else "",
            "number": card.number if card else "",
            "reg": self._reg_word(port.reg),
            "slot": port.wire_slot,
            "callstate": port.call_state,
            "signal": port.signal if port.registered else 0,
            "gprs": port.gprs,
            "remain_credit": f"{card.balance:.2f}" if card else "0.00",
            "remain_monthly_credit": "500.00",
            "remain_daily_credit": "300.00",
            "remain_daily_calltime": "100",
            "remain_hourly_calltime": "10",
            "remain_daily_connect": "100",
            "CallForward": dict(port.call_forward_checked),
        }

    async def _get_port_info(self, params: dict[str, Any]) -> dict[str, Any]:
        # The spec's own example request writes `remain_daily_credit:`; the trailing colon is tolerated.
        asked = [item.rstrip(":").strip() for item in self._list(params, "info_type")]
        info_types = list(dict.fromkeys(item for item in asked if item in INFO_TYPES))
        if not info_types:
            raise _BadRequestError
        ports = self._port_list(params)
        rows = []
        for port in self.state.ports:
            if ports is not None and port.index not in ports:
                continue
            values = self._info_values(port)
            row: dict[str, Any] = {"port": port.index}
            for info_type in info_types:
                row[self._answer_name(info_type)] = values[SPELLINGS.get(info_type, (info_type,))[0]]
            rows.append(row)
        return {"error_code": 200, "sn": self.serial, "info": rows}

    async def _set_port_info(self, params: dict[str, Any]) -> dict[str, Any]:
        port = self._one_port(params)
        action = str(params.get("action") or "")
        param = "" if params.get("param") is None else str(params.get("param"))
        handler = {
            "slot": self._action_slot,
            "reset": self._action_reset,
            "power": self._action_power,
            "imei": self._action_imei,
            "number": self._action_number,
            "lock": self._action_lock,
            "unlock": self._action_lock,
            "block": self._action_block,
            "unblock": self._action_block,
            "CallForward": self._action_call_forward,
            "CheckCallForward": self._action_check_call_forward,
        }.get(action)
        if handler is None:
            raise _BadRequestError
        handler(port, action, param, params)
        return {"error_code": 200, "sn": self.serial}

    def _action_slot(self, port: Port, _action: str, param: str, _params: dict[str, Any]) -> None:
        slot = _int(param)
        if not port.multi_sim or slot is None or not 0 <= slot < len(port.slots):
            raise _BadRequestError
        self._register_down(port)
        port.active = slot
        self._register_up(port)

    def _action_reset(self, port: Port, *_args: Any) -> None:
        self._register_down(port)
        self._register_up(port)

    def _action_power(self, port: Port, _action: str, param: str, _params: dict[str, Any]) -> None:
        if param not in {"on", "off"}:
            raise _BadRequestError
        if param == "off":
            port.powered = False
            self._register_down(port)
        else:
            port.powered = True
            self._register_up(port)

    def _action_imei(self, port: Port, _action: str, param: str, _params: dict[str, Any]) -> None:
        if len(param) != 15 or not param.isdigit():
            raise _BadRequestError
        port.imei = param

    def _action_number(self, port: Port, _action: str, param: str, _params: dict[str, Any]) -> None:
        card = port.card
        if card is None or not param or len(param.encode()) > 24:
            raise _BadRequestError(500 if card is None else 400)
        card.number = param

    def _action_lock(self, port: Port, action: str, param: str, _params: dict[str, Any]) -> None:
        slot = port.slots[port.active]
        if slot.card is None or param != slot.pin:
            raise _BadRequestError(500)
        slot.pin_locked = action == "lock"

    def _action_block(self, port: Port, action: str, *_args: Any) -> None:
        port.blocked = action == "block"

    def _action_call_forward(self, port: Port, _action: str, param: str, params: dict[str, Any]) -> None:
        number = str(params.get("number") or "")
        if param == "CancelAll":
            port.call_forward.clear()
            return
        if param not in {"Unconditional", "NoReply", "Busy", "Not_Reachable"} or not number:
            raise _BadRequestError
        port.call_forward[param] = number

    def _action_check_call_forward(self, port: Port, *_args: Any) -> None:
        if not port.registered:
            raise _BadRequestError(500)
        port.call_forward_checked = dict(port.call_forward)

    def _register_down(self, port: Port) -> None:
        was_up = port.registered
        card = port.card
        port.reg = "POWER_OFF" if not port.powered else "SEARCHING_NETWORK"
        if was_up:
            self._emit("register", [self._register_row(port, card, up=False)])

    def _register_up(self, port: Port) -> None:
        port.settle_registration()
        if port.registered:
            self._emit("register", [self._register_row(port, port.card, up=True)])

    def _register_row(self, port: Port, card: Any, *, up: bool) -> dict[str, Any]:
        row: dict[str, Any] = {
            "port": port.index,
            "iccid": card.iccid if card and up else "<NULL>",
            "imsi": card.imsi if card and up else "<NULL>",
            "number": card.number if card else "",
            "status": "up" if up else "down",
            "sequence": len(self.pushes) + 1,
        }
        if port.multi_sim:
            row["slot"] = port.active
        return row

    # --- CDR, status, STK ---------------------------------------------------------------------------------

    def _cdr_row(self, record: CallRecord) -> dict[str, Any]:
        return {
            "port": record.port,
            "start_date": self._fmt(record.start),
            "answer_date": self._fmt(record.answer),
            "duration": record.duration,
            "source_number": record.source,
            "destination_number": record.destination,
            "direction": record.direction,
            "ip": record.ip,
            "codec": record.codec,
            "hangup": record.hangup,
            "gsm_code": record.gsm_code,
            "bcch": record.bcch,
        }

    async def _get_cdr(self, params: dict[str, Any]) -> dict[str, Any]:
        ports = self._port_list(params)
        within = self._filter_window(params)
        rows = [
            self._cdr_row(record)
            for record in self.state.cdrs
            if (ports is None or record.port in ports) and within(record.start)
        ]
        key = "info" if "cdr-under-info" in self.variants else "cdr"
        return {"error_code": 200, "sn": self.serial, key: rows}

    async def _get_status(self, params: dict[str, Any]) -> dict[str, Any]:
        if "performance" not in params:
            raise _BadRequestError
        used = 50000 + 100 * len(self.state.queue)
        return {
            "performance": {
                "cpu_used": str(20 + len(self.state.queue) % 50),
                "flash_total": "27648",
                "flash_used": "17428",
                "memory_total": "109448",
                "memory_cached": "34192",
                "memory_buffers": "0",
                "memory_free": str(109448 - used),
                "memory_used": str(used),
            }
        }

    def _stk_available(self, port: Port) -> bool:
        return port.registered

    async def _stk_view(self, params: dict[str, Any]) -> dict[str, Any]:
        port = self._one_port(params)
        card = port.card
        balance = f"{card.balance:.2f} EUR" if card else ""
        return port.stk.view(balance=balance, available=self._stk_available(port))

    async def _stk_go(self, params: dict[str, Any]) -> dict[str, Any]:
        port = self._one_port(params)
        if not self._stk_available(port):
            raise _BadRequestError(503)
        item, action = params.get("item"), str(params.get("action") or "")
        if item is not None and item != "":
            item_id = _int(item)
            if item_id is None or not port.stk.select(item_id):
                raise _BadRequestError
        elif action == "ok":
            if not port.stk.ok(str(params.get("param") or "")):
                raise _BadRequestError
        elif action == "cancel":
            port.stk.cancel()
        elif action == "home":
            port.stk.home()
        else:
            raise _BadRequestError
        return {"error_code": 200}

    async def _stk_frame(self, params: dict[str, Any]) -> dict[str, Any]:
        port = self._one_port(params)
        return {"frame_id": port.stk.frame_id}

    # --- background work ----------------------------------------------------------------------------------

    async def on_start(self) -> None:
        """Start the sender and the pusher."""
        self.spawn(self._sender(), name="dinstar-sender")
        self.spawn(self._pusher(), name="dinstar-pusher")

    async def _sender(self) -> None:
        while True:
            if not self.state.queue or self.sends_held:
                self._queue_changed.clear()
                await self._queue_changed.wait()
                continue
            await asyncio.sleep(self.send_interval)
            if self.state.queue and not self.sends_held:
                await self._send_one()

    async def _send_one(self) -> None:
        record = self.state.start_sending(self.state.queue.popleft())
        if record.status == "SENDING":
            await asyncio.sleep(self.send_duration)
            self.state.finish_sending(record)
        self._emit("sms_result", [self._result_row(record)])
        if record.status == "SENT_OK" and record.report:
            self.spawn(self._deliver_later(record), name="dinstar-delivery")

    async def _deliver_later(self, record: SentRecord) -> None:
        await asyncio.sleep(self.delivery_delay)
        report = self.state.deliver_report(record)
        self._emit(
            "sms_deliver_status",
            [
                {
                    "port": report.port,
                    "number": report.number,
                    "time": self._fmt(report.time),
                    "ref_id": report.ref_id,
                    "status_code": report.status_code,
                    "imsi": report.imsi,
                }
            ],
        )

    def _emit(self, section: str, payload: Any) -> None:
        if self.push_url is not None:
            self._push_queue.put_nowait({section: payload})

    async def _pusher(self) -> None:
        while True:
            events = [await self._push_queue.get()]
            if "batch-push" in self.variants:
                await asyncio.sleep(self.push_batch_window)
                while not self._push_queue.empty():
                    events.append(self._push_queue.get_nowait())
            url = self.push_url
            if url is not None:
                await self.push(url, self._push_body(events))

    def _push_body(self, events: list[dict[str, Any]]) -> bytes:
        if "concatenated-push" in self.variants and len(events) > 1:
            return "".join(json.dumps({"sn": self.serial, **event}, ensure_ascii=False) for event in events).encode()
        merged: dict[str, Any] = {"sn": self.serial}
        for event in events:
            for section, payload in event.items():
                if isinstance(payload, list):
                    merged.setdefault(section, []).extend(payload)
                else:
                    merged[section] = payload  # device/exception_info: the latest wins in a merged push
        return json.dumps(merged, ensure_ascii=False).encode()

    # --- control API --------------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Ports, queue, records, inbox and login state."""
        ports = []
        for port in self.state.ports:
            card = port.card
            ports.append(
                {
                    "port": port.index,
                    "slot": port.wire_slot,
                    "reg": port.reg,
                    "signal": port.signal,
                    "powered": port.powered,
                    "blocked": port.blocked,
                    "busy": port.busy,
                    "imei": port.imei,
                    "iccid": card.iccid if card else None,
                    "number": card.number if card else None,
                    "pin_locked": port.slots[port.active].pin_locked,
                    "call_forward": dict(port.call_forward),
                    "ussd_reply": port.ussd_reply,
                }
            )
        return {
            "serial": self.serial,
            "push_url": self.push_url,
            "ports": ports,
            "queue": len(self.state.queue),
            "sent": [self._result_row(record) for record in self.state.sent],
            "delivered": len(self.state.delivered),
            "inbox": len(self.state.inbox),
            "cdrs": len(self.state.cdrs),
            "locked_out": self.auth.locked,
            "auth_attempts": len(self.auth.attempts),
        }

    def _control_port(self, params: dict[str, Any]) -> Port:
        number = _int(params.get("port"))
        if number is None or not 1 <= number <= self.port_count:
            raise web.HTTPBadRequest(text=f"port must be 1-{self.port_count}")
        return self.state.ports[number - 1]

    @staticmethod
    def _control_slot(params: dict[str, Any], port: Port) -> int:
        number = _int(params.get("slot", port.active + 1))
        if number is None or not 1 <= number <= len(port.slots):
            raise web.HTTPBadRequest(text="no such slot")
        return number - 1

    async def control(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        """Control actions listed in the module doc."""
        simple: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "set_push_url": self._control_push_url,
            "deliver_sms": self._control_deliver_sms,
            "set_reg": self._control_set_reg,
            "remove_sim": self._control_remove_sim,
            "insert_sim": self._control_insert_sim,
            "set_signal": self._control_set_signal,
            "set_busy": self._control_set_busy,
            "add_call": self._control_add_call,
            "raise_exception": self._control_raise_exception,
            "reboot": self._control_reboot,
            "expire_nonces": self._control_expire_nonces,
            "unlock_login": self._control_unlock_login,
            "fail_number": self._control_fail_number,
            "set_balance": self._control_set_balance,
            "set_ussd_reply": self._control_set_ussd_reply,
            "configure": self._control_configure,
            "hold_sends": self._control_hold_sends,
        }
        if action == "flush":
            sent = 0
            while self.state.queue:
                await self._send_one()
                sent += 1
            return {"sent": sent}
        if action not in simple:
            raise web.HTTPNotFound(text=f"unknown control action {action}")
        return simple[action](params)

    def _control_push_url(self, params: dict[str, Any]) -> dict[str, Any]:
        url = params.get("url")
        self.push_url = str(url) if url else None
        return {"push_url": self.push_url}

    def _control_deliver_sms(self, params: dict[str, Any]) -> dict[str, Any]:
        port = self._control_port(params)
        received = None
        if params.get("timestamp"):
            received = datetime.strptime(str(params["timestamp"]), TIME_FORMAT).replace(tzinfo=self.time_zone)
        message = self.state.receive(
            port.index,
            str(params.get("sender", params.get("number", "+4915112345678"))),
            str(params.get("text", "")),
            smsc=str(params.get("smsc", "+491770610000")),
            received=received,
        )
        self._emit("sms", [self._sms_row(message)])
        return {"incoming_sms_id": message.sms_id}

    def _control_set_reg(self, params: dict[str, Any]) -> dict[str, Any]:
        port = self._control_port(params)
        was_up = port.registered
        card = port.card
        port.reg = str(params.get("reg", REGISTER_OK))
        if was_up and not port.registered:
            self._emit("register", [self._register_row(port, card, up=False)])
        elif port.registered and not was_up:
            self._emit("register", [self._register_row(port, card, up=True)])
        return {"reg": port.reg}

    def _control_remove_sim(self, params: dict[str, Any]) -> dict[str, Any]:
        port = self._control_port(params)
        slot = self._control_slot(params, port)
        if slot == port.active:
            self._register_down(port)
        port.slots[slot].card = None
        port.settle_registration()
        return {"reg": port.reg}

    def _control_insert_sim(self, params: dict[str, Any]) -> dict[str, Any]:
        port = self._control_port(params)
        slot = self._control_slot(params, port)
        port.slots[slot].card = make_sim(self.rng)
        if slot == port.active:
            self._register_up(port)
        return {"reg": port.reg}

    def _control_set_signal(self, params: dict[str, Any]) -> dict[str, Any]:
        port = self._control_port(params)
        port.signal = _int(params.get("signal")) or 0
        return {"signal": port.signal}

    def _control_set_busy(self, params: dict[str, Any]) -> dict[str, Any]:
        port = self._control_port(params)
        port.busy = bool(params.get("busy", True))
        return {"busy": port.busy}

    def _control_add_call(self, params: dict[str, Any]) -> dict[str, Any]:
        port = self._control_port(params)
        answered = bool(params.get("answered", True))
        duration = _int(params.get("duration", 30)) or 0
        start = self.now()
        record = CallRecord(
            port=port.index,
            start=start,
            answer=start if answered else None,
            duration=duration if answered else 0,
            source=str(params.get("source", "1010")),
            destination=str(params.get("destination", "6717")),
            direction=str(params.get("direction", "ip->gsm")),
            ip=str(params.get("ip", "172.16.100.136")),
        )
        self.state.cdrs.append(record)
        if answered:  # the spec: only answered calls are pushed
            self._emit("cdr", [self._cdr_row(record)])
        return {"cdrs": len(self.state.cdrs)}

    def _control_raise_exception(self, params: dict[str, Any]) -> dict[str, Any]:
        port = self._control_port(params)
        info = {
            "port": port.index,
            "type": str(params.get("type", "call_fail")),
            "action": str(params.get("action", "reset")),
        }
        self._emit("exception_info", info)
        return info

    def _device_event(self, status: str) -> dict[str, Any]:
        return {"port_number": self.port_count, "IP": "127.0.0.1", "MAC": self.mac, "status": status}

    def _control_reboot(self, _params: dict[str, Any]) -> dict[str, Any]:
        self._emit("device", self._device_event("power_off"))
        self.state.drop_queued()
        self.state.live_tasks.clear()
        if "volatile-inbox" in self.variants:
            self.state.clear_inbox()
        for port in self.state.ports:
            self._register_down(port)
            port.busy = False
            port.stk.home()
        self._emit("device", self._device_event("power_on"))
        for port in self.state.ports:
            self._register_up(port)
        return {"rebooted": True}

    def _control_expire_nonces(self, _params: dict[str, Any]) -> dict[str, Any]:
        self.auth.expire_nonces()
        return {"expired": True}

    def _control_unlock_login(self, _params: dict[str, Any]) -> dict[str, Any]:
        self.auth.unlock()
        return {"locked_out": False}

    def _control_fail_number(self, params: dict[str, Any]) -> dict[str, Any]:
        number = str(params.get("number", ""))
        if params.get("undeliverable"):
            self.state.undeliverable_numbers.add(number)
        else:
            self.state.failing_numbers.add(number)
        return {"failing": len(self.state.failing_numbers), "undeliverable": len(self.state.undeliverable_numbers)}

    def _control_set_balance(self, params: dict[str, Any]) -> dict[str, Any]:
        port = self._control_port(params)
        card = port.slots[self._control_slot(params, port)].card
        if card is not None:
            card.balance = float(params.get("balance", 0))
        return {"balance": None if card is None else card.balance}

    def _control_set_ussd_reply(self, params: dict[str, Any]) -> dict[str, Any]:
        self.state.ussd_replies[str(params.get("code", ""))] = str(params.get("text", ""))
        return {"replies": len(self.state.ussd_replies)}

    def _control_hold_sends(self, params: dict[str, Any]) -> dict[str, Any]:
        self.sends_held = bool(params.get("hold", True))
        self._queue_changed.set()
        return {"held": self.sends_held, "queued": len(self.state.queue)}

    _SETTINGS: ClassVar[tuple[str, ...]] = (
        "send_interval",
        "send_duration",
        "delivery_delay",
        "ussd_delay",
        "lockout_after",
        "method_reject_status",
        "push_batch_window",
    )
    _AUTH_SETTINGS: ClassVar[tuple[str, ...]] = ("nonce_ttl", "lockout_window", "lockout_seconds")

    def _control_configure(self, params: dict[str, Any]) -> dict[str, Any]:
        for key, value in params.items():
            if key in self._SETTINGS:
                setattr(self, key, value)
            elif key in self._AUTH_SETTINGS:
                setattr(self.auth, key, value)
            else:
                raise web.HTTPBadRequest(text=f"unknown setting {key}")
        return {key: getattr(self, key) for key in self._SETTINGS} | {
            key: getattr(self.auth, key) for key in self._AUTH_SETTINGS
        }

    # --- demo ---------------------------------------------------------------------------------------------

    def start_demo_activity(self) -> None:
        """An SMS every minute, a call every few minutes, and now and then a SIM that drops off and comes back."""
        self.spawn(self._demo_loop(), name="dinstar-demo")

    async def _demo_loop(self, period: float = 60.0) -> None:
        messages = DemoMessages()
        for tick in itertools.count():
            await asyncio.sleep(period)
            registered = [port for port in self.state.ports if port.registered]
            if not registered:
                continue
            port = self.rng.choice(registered)
            sender, text = messages.next()
            self._control_deliver_sms({"port": port.index + 1, "sender": sender, "text": text})
            if tick % 3 == 2:
                self._control_add_call({"port": port.index + 1, "duration": self.rng.randrange(5, 300)})
            if tick % 5 == 4:
                flapping = self.rng.choice(self.state.ports)
                self._control_set_reg({"port": flapping.index + 1, "reg": "SEARCHING_NETWORK"})
                self._control_set_reg({"port": flapping.index + 1, "reg": REGISTER_OK})


def _int(value: Any) -> int | None:
    """An integer from a JSON number or a numeric string (clients send both)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _stringify(value: Any) -> Any:
    """Every number as a string (the `string-numbers` variant)."""
    if isinstance(value, dict):
        return {key: _stringify(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_stringify(item) for item in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value
