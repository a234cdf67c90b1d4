"""Simulated Skyline/EJOIN gateway (`goip_*.html`, API v1.9 + EJOIN v2.2 + Skyline v2.4).

Stateful: SIMs per slot, an active slot per port, locks and LEDs, a send queue that sends one message every
`send_interval` seconds and honours pause/resume/delete, an inbox with `ssrc` and ids, statistics counted
from what happened, eSIM jobs that finish asynchronously, proxy and IP-list configuration, USSD answers, and
the optional encrypted session. It pushes like the device: `dev-status` every period and `port-status` on
every change to the status URL, `recv-sms` to `sms_url` (buffered by `sms_cnt`/`sms_prd`; `sms_cnt` <= 1
gives the legacy plain-text forward), `status-report` to `sr_url`, and MMS to the MMS URL (or `sms_url`).

Decisions: a reboot keeps received messages but numbers them again from 1 under a new `ssrc` (the spec's
"return to step 1" only makes sense if they survive); it drops the send queue and encrypted sessions. A task
without `from` is given a port when it is submitted. `period` is clamped to `min_status_period` (60 s like
the device; tests lower it).

Variants (`sim.variants`, or `POST /_sim/variants {"enable": [...]}`):
- `max_slot`: `max-slot` (singular, as in the spec example) instead of `max-slots`.
- `label_dotted`: port labels `1.01`; `label_mixed`: dotted on even ports, `1A` on odd ports (one payload).
- `label_pool`: SIM-bank pool labels `port.bank.slot` (`3.03.17`: slot 17 of port 3, on its third board of 8
  slots) in status answers, pushes, received SMS, reports, MMS and the legacy forward; with `label_mixed` only
  on even ports. Requests may use them too.
- `string_numbers`: `st`, `sig`, `seq`, `max-ports`, `max-slots` as strings.
- `status_string`: `"status": "3 Registered"` instead of `st`.
- `whitespace`: operator texts with a trailing space (`"0 "`).
- `v24_fields`: rows carry `active`, `inserted`, `slot_active`, `led`.
- `sms_headers`: SMS content is a header block (Sender/Receiver/SMSC/SCTS/Slot, CRLF) + blank line + body.
- `scts_hex_tz`: the SCTS ends in the hex time-zone octet.
- `inbox_extra`: received-SMS rows end with ICCID and IMSI.
- `dr_number`: delivery-report content is the phone number instead of `"code scts"`.
- `login_code1`: a wrong login is HTTP 200 `{"code": 1}` instead of HTTP 401.
- `session_cookie`: answers set a session cookie.
- `cmd_code_200`: command and USSD answers use code 200 instead of 0.
- `legacy_octet`: the plain-text SMS forward is sent as `application/octet-stream`.
- `ussd_no_resp`: USSD answers carry no `resp`.
- `no_v22` (no proxy/IP lists), `no_esim`, `no_ussd`, `no_crypt`: those endpoints answer 404; `no_get`: `op=get`
  is refused with code 15.

Send outcomes (control actions): `set_sim_status` (e.g. 6 registration failed, 5 no balance: a task that names
that SIM is refused at once with "5 SIM Unregistered"), `fail_recipients` (every SMS to those numbers fails with
"6 Timeout"), and `set_balance {port, slot?, balance}`: a SIM whose balance is 0 or less stays registered (the
device does not know why the network refuses), so its tasks are accepted and each SMS fails with a failure report:
progress reason "7 Server Error", carrier reason "21 Short message transfer rejected" (the RP cause of 3GPP TS
24.011 that networks give a prepaid SIM without credit). `sent_log` lists every SMS the device sent (number, port
label), so tests can count sends per recipient. `hold_sends {hold?: true}` keeps every task in the queue (listed
by `goip_get_tasks.html`, removable) until `hold_sends {"hold": false}` lets them go out again every `send_interval`.

Send tasks: `accepted_tasks` keeps every task the device accepted as it read them (recipients, text, `smsc`,
`intvl` in ms, `tmo`, and for an MMS — `smstype` 1 or 2 — its `smstitle` and decoded attachments). `intvl`
spaces the SMS of one task (at least `send_interval` apart). MMS tasks are refused like the v2.4 table says:
"17 MMS Title expected", "18 Too Many MMS Attachments" (more than 5), "19 MMS Attachments expected" (none, or one
of an unknown type or not base64), "20 MMS Attachments Cache Overlimit" (100 KB or more in total).
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from yarl import URL

from ..base import GatewaySimulator, register
from ..data import DemoMessages, make_sim
from .encryption import SessionStore
from .proxy import ProxyService
from .state import (
    IDLE,
    REGISTERED,
    REGISTERING,
    STAT_WINDOWS,
    EsimProfileState,
    InboxEntry,
    PortState,
    QueuedTask,
    make_esims,
    make_iccid,
    make_ports,
    now,
)
from .wire import (
    dev_status,
    inbox_row,
    label,
    mms_body,
    mms_headers,
    parse_label,
    parse_numbers,
    parse_ports,
    report_label,
    status_row as wire_status_row,
)

JSON_TYPE = "application/json"
MAX_QUEUE = 1000
MMS_KINDS = frozenset({"jpg", "gif", "txt", "mp3"})
MMS_KIND_ALIASES = {"jpeg": "jpg"}
MMS_MAX_ATTACHMENTS = 5
MMS_MAX_BYTES = 100 * 1024  # "total < 100KB"
CREDENTIAL_KEYS = frozenset({"username", "password", "op", "version", "session", "seq", "auth"})
# A SIM without credit: the network refuses its SMS (progress reason, carrier reason of the failure report).
NO_CREDIT = ("7 Server Error", "21 Short message transfer rejected")
PROXY_RESOURCES = ("proxy", "proxy_user", "proxy_white_list", "proxy_black_list", "proxy_access_log")
_INDEXED = re.compile(r"^(\w+)\((\d+)\)$")
USSD_REPLIES = {
    "*100#": "Your balance is {balance:.2f} EUR.",
    "*101#": "Your number is {number}.",
    "*102#": "1. Balance 2. Bundles 3. Exit",
}


def _int(value: Any, default: int | None = None) -> int | None:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return default


@register
class EjoinSimulator(GatewaySimulator):
    """A Skyline/EJOIN multi-port gateway."""

    vendor = "ejoin"

    def __init__(self, **kwargs: Any) -> None:
        """Build the device; `start()` serves it."""
        super().__init__(**kwargs)
        self.ports: list[PortState] = make_ports(self.rng, self.port_count, self.slot_count)
        self.mac = "00-30-f1-" + "-".join(f"{self.rng.randrange(256):02x}" for _ in range(3))
        self.ip = "192.168.1.67"
        self.firmware = "532-604-924-041-100-000"
        self.ssrc = self._new_ssrc()
        self.inbox: list[InboxEntry] = []
        self.next_sms_id = 1
        self.queue: list[QueuedTask] = []
        self.status_url: str | None = None
        self.status_period = 0
        self.dev_seq = 0
        self.sms_url: str | None = None
        self.sms_cnt = 1
        self.sms_prd = 30
        self.sr_url: str | None = None
        self.sr_cnt = 100
        self.sr_prd = 30
        self.mms_url: str | None = None
        self.data_service = 1
        self.ttl = 64
        self.send_interval = 0.3
        self.register_delay = 0.5
        self.delivery_delay = 0.5
        self.esim_delay = 0.3
        self.min_status_period = 60.0
        self.failing_recipients: set[str] = set()
        self.sent_log: list[tuple[str, str]] = []  # (number, port label) of every SMS sent, in order
        self.accepted_tasks: list[QueuedTask] = []  # every task the device accepted, in order, as it read them
        self.esim_fail = False
        self.esims = make_esims(self.rng, self.ports, self.slot_count)
        self.proxy = ProxyService()
        self.sessions = SessionStore(self.username, self.password)
        self.redials: list[dict[str, Any]] = []
        self.ussd_requests: list[tuple[str, str]] = []
        self._sms_buffer: list[InboxEntry] = []
        self._reports: dict[int, dict[str, Any]] = {}
        self._report_details = 0
        self._status_task: asyncio.Task[Any] | None = None
        self._sms_timer: asyncio.Task[Any] | None = None
        self._report_timer: asyncio.Task[Any] | None = None
        self._wake = asyncio.Event()
        self.sends_held = False  # `hold_sends`: queued tasks wait until released
        self._rotation = 0
        self._registered: list[PortState] | None = None

    # --- lifecycle ----------------------------------------------------------------------------------------

    def _new_ssrc(self) -> str:
        return "".join(f"{self.rng.randrange(256):02x}" for _ in range(8))

    async def on_start(self) -> None:
        """Run the send queue."""
        self.spawn(self._send_worker(), "ejoin-send-queue")

    def start_demo_activity(self) -> None:
        """An SMS every minute, a SIM re-registering now and then; USSD always answers."""
        self.spawn(self._demo(), "ejoin-demo")

    async def _demo(self, period: float = 60.0) -> None:
        messages = DemoMessages()
        while True:
            await asyncio.sleep(period)
            port = self.rng.randrange(1, self.port_count + 1)
            sender, text = messages.next()
            self.deliver_sms(port, None, sender, text)
            if self.rng.random() < 0.5:
                self._reregister(self.ports[self.rng.randrange(self.port_count)])

    # --- helpers ------------------------------------------------------------------------------------------

    @staticmethod
    def _query(request: web.Request, name: str) -> str | None:
        """A query parameter, case-insensitively (the spec's own examples write `Username=`)."""
        for key, value in request.query.items():
            if key.lower() == name:
                return value
        return None

    def _json(self, data: Any, status: int = 200) -> web.Response:
        response = web.Response(status=status, text=json.dumps(data), content_type=JSON_TYPE, charset="utf-8")
        if "session_cookie" in self.variants:
            response.set_cookie("websession", "ejoin-" + self.ssrc)
        return response

    @staticmethod
    def _body(request: web.Request) -> bytes:
        body = request.get("ejoin_body", b"")
        return body if isinstance(body, bytes) else b""

    def _json_body(self, request: web.Request) -> Any:
        """The body as JSON whatever the content type says (clients send `application/json,charset=utf-8`)."""
        try:
            return json.loads(self._body(request).decode("utf-8"), strict=False)
        except ValueError:
            return None

    def _ok_code(self) -> int:
        return 200 if "cmd_code_200" in self.variants else 0

    def _port(self, number: int) -> PortState | None:
        return self.ports[number - 1] if 1 <= number <= self.port_count else None

    def _label(self, port: int, slot: int) -> str:
        return label(port, slot, self.variants)

    def _require(self, variant: str) -> None:
        if variant in self.variants:
            raise web.HTTPNotFound

    # --- authentication -----------------------------------------------------------------------------------

    def authenticate(self, request: web.Request, body: bytes) -> web.StreamResponse | None:
        """Credentials in the query string, or a signed encrypted session."""
        if request.path == "/crypt_sess.json":
            return None
        session_id = self._query(request, "session")
        if session_id is not None:
            checked = self.sessions.check(
                session_id, self._query(request, "seq") or "", self._query(request, "auth") or "", request.path
            )
            if checked is None:
                return self.reject_credentials(request)
            try:
                request["ejoin_body"] = self.sessions.decrypt(checked[0], checked[1], body)
            except ValueError:
                return self.reject_credentials(request)
            return None
        if self._query(request, "username") != self.username or self._query(request, "password") != self.password:
            return self.reject_credentials(request)
        request["ejoin_body"] = body
        return None

    def refusal(self, request: web.Request, reason: str, code: int | None) -> web.StreamResponse:  # noqa: ARG002
        """`{"code": <code, 7 Server Error by default>, "reason": <reason>}`, the device's refusal of any request."""
        return self._json({"code": 7 if code is None else code, "reason": reason})

    def reject_credentials(self, request: web.Request) -> web.StreamResponse:  # noqa: ARG002
        """HTTP 401 without a challenge, or HTTP 200 with code 1 (`login_code1`)."""
        if "login_code1" in self.variants:
            return self._json({"code": 1, "reason": "Invalid User"})
        return web.Response(status=401, text="401 Unauthorized", content_type="text/plain")

    # --- routes -------------------------------------------------------------------------------------------

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Every `goip_*` endpoint, `crypt_sess.json`, the proxy resources and the IP lists."""
        router.add_get("/goip_get_status.html", self._get_status)
        router.add_route("*", "/goip_send_cmd.html", self._send_cmd)
        router.add_post("/goip_post_sms.html", self._post_sms)
        router.add_post("/goip_pause_sms.html", self._pause_tasks)
        router.add_post("/goip_resume_sms.html", self._resume_tasks)
        router.add_post("/goip_remove_sms.html", self._remove_tasks)
        router.add_get("/goip_get_tasks.html", self._get_tasks)
        router.add_route("*", "/goip_get_sms.html", self._get_sms)
        router.add_get("/goip_get_sms_stat.html", self._sms_stat)
        router.add_get("/goip_get_call_stat.html", self._call_stat)
        router.add_get("/goip_send_ussd.html", self._ussd)
        router.add_get("/goip_get_esims.html", self._get_esims)
        router.add_post("/goip_write_esims.html", self._write_esims)
        router.add_post("/goip_delete_esims.html", self._delete_esims)
        router.add_get("/crypt_sess.json", self._crypt_sess)
        for resource in PROXY_RESOURCES:
            router.add_route("*", f"/{resource}", self._proxy)
        router.add_route("*", "/ip_white_list", self._ip_list)
        router.add_route("*", "/ip_black_list", self._ip_list)

    # --- status -------------------------------------------------------------------------------------------

    def dev_status(self, *, all_slots: bool) -> dict[str, Any]:
        """The current `dev-status` object."""
        return dev_status(
            seq=self.dev_seq,
            period=self.status_period,
            mac=self.mac,
            ip=self.ip,
            firmware=self.firmware,
            ports=self.ports,
            slot_count=self.slot_count,
            all_slots=all_slots,
            variants=self.variants,
        )

    async def _get_status(self, request: web.Request) -> web.Response:
        url = self._query(request, "url")
        period = _int(self._query(request, "period"))
        if url is not None:  # only a call WITH url moves the (single) push target
            self.status_url = url or None
            period = 60 if period is None else period
        if period is not None:
            self.status_period = max(period, int(self.min_status_period)) if period > 0 else 0
            self._restart_status_loop()
        all_slots = "1" in {self._query(request, "all_sims"), self._query(request, "all_slots")}
        return self._json(self.dev_status(all_slots=all_slots))

    def _restart_status_loop(self) -> None:
        if self._status_task is not None:
            self._status_task.cancel()
            self._status_task = None
        if self.status_url and self.status_period > 0:
            self._status_task = self.spawn(self._status_loop(), "ejoin-dev-status")

    async def _status_loop(self) -> None:
        while True:
            await asyncio.sleep(max(self.status_period, self.min_status_period))
            if self.status_url:
                self.dev_seq += 1
                await self.push(self.status_url, json.dumps(self.dev_status(all_slots=False)).encode())

    def _port_changed(self, port: PortState, slot: int | None = None) -> None:
        """Push `port-status` for a slot whose state changed (the active one by default)."""
        port.seq += 1
        if self.status_url:
            row = wire_status_row(port, slot or port.active, self.variants)
            body = {"type": "port-status", **row, "seq": port.seq}
            self.spawn(self.push(self.status_url, json.dumps(body).encode()), "ejoin-port-status")

    def _reregister(self, port: PortState) -> None:
        """The active slot registers again (reset, redial, reboot, demo)."""
        slot = port.slot(port.active)
        if slot.sim is None:
            return
        slot.status = REGISTERING
        self._port_changed(port)
        self.spawn(self._registered_later(port, port.active), "ejoin-register")

    async def _registered_later(self, port: PortState, slot_number: int) -> None:
        await asyncio.sleep(self.register_delay)
        slot = port.slot(slot_number)
        if slot.status == REGISTERING:
            slot.status = REGISTERED
            self._port_changed(port, slot_number)

    # --- commands -----------------------------------------------------------------------------------------

    async def _send_cmd(self, request: web.Request) -> web.Response:
        op = self._query(request, "op")
        text = self._body(request).decode("utf-8", errors="replace")
        if op == "set":
            return self._json(self._set_values(dict(parse_qsl(text, keep_blank_values=True))))
        if op == "get":
            names = [key for key in request.query if key.lower() not in CREDENTIAL_KEYS]
            names += [item.split("=")[0] for item in text.split("&") if item.strip()]
            return self._json(self._get_values(names))
        if text.strip():
            command = self._json_body(request)
        else:  # some clients put the command in the query string
            command = {key: self._query(request, key) for key in ("op", "ports", "mode", "delay")}
        if not isinstance(command, dict):
            return self._json({"code": 15, "reason": "Invalid CMD"})
        commands = command.get("ops") if command.get("op") == "multiple" else [command]
        if not isinstance(commands, list) or not commands:
            return self._json({"code": 15, "reason": "Invalid CMD"})
        for item in commands:
            refusal = self._apply(item) if isinstance(item, dict) else (15, "Invalid CMD")
            if refusal is not None:
                return self._json({"code": refusal[0], "reason": refusal[1]})
        return self._json({"code": self._ok_code(), "reason": "OK"})

    def _targets(self, ports: Any) -> list[tuple[PortState, list[int]]] | None:
        """Ports and the slots a `ports` value selects (a bare port selects all its slots)."""
        if not isinstance(ports, str) or (parsed := parse_ports(ports, self.port_count)) is None or not parsed:
            return None
        targets: list[tuple[PortState, list[int]]] = []
        for number, slot in parsed:
            port = self.ports[number - 1]
            if slot is not None and not 1 <= slot <= self.slot_count:
                return None
            targets.append((port, list(range(1, self.slot_count + 1)) if slot is None else [slot]))
        return targets

    def _apply(self, command: dict[str, Any]) -> tuple[int, str] | None:
        op = command.get("op")
        if op == "save":
            return None
        if op == "reboot":
            self.reboot()
            return None
        if op == "set":
            self._set_values({str(k): str(v) for k, v in command.items() if k not in {"type", "op"}})
            return None
        if op not in {"lock", "unlock", "switch", "reset", "redial", "ledon", "ledoff"}:
            return 15, "Invalid CMD"
        targets = self._targets(command.get("ports"))
        if targets is None:
            return 2, "Invalid Port"
        for port, slots in targets:
            if op in {"lock", "unlock"}:
                for slot in slots:
                    port.slot(slot).locked = op == "lock"
                    self._port_changed(port, slot)
            elif op == "switch":
                if len(slots) != 1:
                    return 2, "Invalid Port"
                port.active = slots[0]
                self._reregister(port)
            elif op in {"ledon", "ledoff"}:
                port.led = op == "ledon"
            else:  # reset, redial
                if op == "redial":
                    self.redials.append({"port": port.port, "mode": command.get("mode"), "delay": command.get("delay")})
                self._reregister(port)
        return None

    def _slot_by_index(self, index: str) -> tuple[PortState, int] | None:
        number = int(index)
        port_index, slot_index = divmod(number, self.slot_count)
        port = self._port(port_index + 1)
        return (port, slot_index + 1) if port is not None else None

    def _set_one(self, name: str, value: str) -> bool:
        match = _INDEXED.match(name)
        if match is not None:
            base, index = match[1].lower(), match[2]
            if base in {"sim_imei", "sim_number"}:
                target = self._slot_by_index(index)
                if target is None:
                    return False
                slot = target[0].slot(target[1])
                if base == "sim_imei":
                    if len(value) != 15 or not value.isdigit():
                        return False
                    slot.imei = value
                else:
                    slot.number = value
                return True
            port = self._port(int(index) + 1)
            if port is None or base not in {"port_public_ip", "port_rx_tx"}:
                return False
            if base == "port_public_ip":
                port.public_ip = value
            else:
                port.rx_tx = value
            return True
        lowered = name.lower()
        if lowered == "sms_url":
            self.sms_url = value or None
        elif lowered == "data_service_enable" and value in {"0", "1"}:
            self.data_service = int(value)
        elif lowered == "ttl" and (ttl := _int(value)) is not None and 1 <= ttl <= 255:
            self.ttl = ttl
        else:
            return False
        return True

    def _set_values(self, values: dict[str, str]) -> dict[str, Any]:
        confirmed = sum(1 for name, value in values.items() if self._set_one(name, value))
        return {"code": 0, "reason": "OK", "par_set": confirmed}

    def _get_one(self, name: str) -> str | None:
        match = _INDEXED.match(name)
        if match is not None:
            base, index = match[1].lower(), match[2]
            if base in {"sim_imei", "sim_number"}:
                target = self._slot_by_index(index)
                if target is None:
                    return None
                slot = target[0].slot(target[1])
                return slot.imei if base == "sim_imei" else slot.sim_number
            port = self._port(int(index) + 1)
            if port is None:
                return None
            return {"port_public_ip": port.public_ip, "port_rx_tx": port.rx_tx}.get(base)
        simple = {"sms_url": self.sms_url or "", "data_service_enable": str(self.data_service), "ttl": str(self.ttl)}
        return simple.get(name.lower())

    def _get_values(self, names: list[str]) -> dict[str, Any]:
        if "no_get" in self.variants:
            return {"code": 15, "reason": "Invalid CMD"}
        values = {name: value for name in names if (value := self._get_one(name)) is not None}
        return {"code": 0, "reason": "OK", **values}

    # --- sending ------------------------------------------------------------------------------------------

    def _task_ports(self, text: str) -> list[tuple[int, int]] | None:
        """Candidate (port, slot) of a task; without `from` the device picks a port now."""
        if not text.strip():
            if self._registered is None:  # computed once per request: nothing registers during one
                self._registered = [port for port in self.ports if port.code(port.active) == REGISTERED] or self.ports
            registered = self._registered
            port = registered[self._rotation % len(registered)]
            self._rotation += 1
            return [(port.port, port.active)]
        parsed = parse_ports(text, self.port_count)
        if not parsed or any(slot is not None and not 1 <= slot <= self.slot_count for _, slot in parsed):
            return None
        return [(number, slot or self.ports[number - 1].active) for number, slot in parsed]

    @staticmethod
    def _read_mms(task: dict[str, Any]) -> tuple[str | None, list[tuple[str, bytes]]]:
        """The refusal of an MMS task (codes 17-20, or None) and its attachments as (kind, data).

        Liberal like firmware: `attachments` as `kind|b64;kind|b64` (blanks, line breaks, a trailing `;`, missing
        padding and upper-case kinds allowed; `jpeg` for `jpg`) or a list of `kind|b64` items. An item whose kind
        is unknown or whose data is no base64 counts as no attachment (code 19: the document has no other code).
        """
        title = task.get("smstitle")
        if not isinstance(title, str) or not title.strip():
            return "17 MMS Title expected", []
        raw = task.get("attachments") or ""
        items = raw if isinstance(raw, list) else str(raw).split(";")
        items = [str(item) for item in items if str(item).strip()]
        if not items:
            return "19 MMS Attachments expected", []
        if len(items) > MMS_MAX_ATTACHMENTS:
            return "18 Too Many MMS Attachments", []
        attachments: list[tuple[str, bytes]] = []
        for item in items:
            kind, _, text = item.partition("|")
            kind = MMS_KIND_ALIASES.get(kind.strip().lower(), kind.strip().lower())
            data = "".join(text.split())
            try:
                decoded = base64.b64decode(data + "=" * (-len(data) % 4), validate=True)
            except ValueError:
                return "19 MMS Attachments expected", []
            if kind not in MMS_KINDS:
                return "19 MMS Attachments expected", []
            attachments.append((kind, decoded))
        if sum(len(data) for _, data in attachments) >= MMS_MAX_BYTES:
            return "20 MMS Attachments Cache Overlimit", []
        return None, attachments

    def _accept_task(self, task: Any, seen: set[int]) -> tuple[Any, str]:
        """Validate one task and queue it; the tid (as given) and the status text."""
        if not isinstance(task, dict):
            return None, "15 Invalid CMD"
        tid = _int(task.get("tid"))
        if tid is None:
            return task.get("tid"), "11 TID Expected"
        if tid in seen:  # `seen` holds the queued tasks' ids and this request's
            return tid, "13 Duplicated TaskId"
        recipients = [number.strip() for number in str(task.get("to") or "").split(",") if number.strip()]
        if not recipients:
            return tid, "9 TO expected"
        sms_type = _int(task.get("smstype"), 0) or 0
        text = task.get("sms")
        attachments: list[tuple[str, bytes]] = []
        if sms_type in {1, 2}:
            problem, attachments = self._read_mms(task)
            if problem is not None:
                return tid, problem
        elif not isinstance(text, str) or not text:
            return tid, "8 SMS expected"
        if len(self.queue) >= MAX_QUEUE:
            return tid, "16 Too Many Task"
        from_text = str(task.get("from", task.get("port", "")) or "")
        ports = self._task_ports(from_text)
        if ports is None:
            return tid, "2 Invalid Port"
        if from_text.strip() and not any(self.ports[port - 1].code(slot) in {REGISTERED, IDLE} for port, slot in ports):
            # The named SIMs cannot send (an idle SIM in another slot can: the module switches to it). Tasks the
            # device places itself are accepted and fail later, with a failure report.
            return tid, "5 SIM Unregistered"
        charset = str(task.get("chs") or "utf8")
        body = str(text or "")
        if charset == "base64":
            body = base64.b64decode(body + "=" * (-len(body) % 4)).decode("utf-8", errors="replace")
        queued = QueuedTask(
            tid=tid,
            ports=ports,
            from_text=str(task.get("from", task.get("port", "")) or ""),
            recipients=recipients,
            text=body,
            charset=charset,
            coding=_int(task.get("coding"), 0) or 0,
            sms_type=sms_type,
            success_report=_int(task.get("sdr"), 0) == 1,
            failure_report=_int(task.get("fdr"), 1) == 1,
            delivery_report=_int(task.get("dr"), 0) == 1,
            smsc=str(task.get("smsc") or "").strip(),
            interval_ms=max(_int(task.get("intvl"), 0) or 0, 0),
            timeout=_int(task.get("tmo"), 30) or 30,
            mms_title=str(task.get("smstitle") or "") if sms_type in {1, 2} else "",
            attachments=attachments,
        )
        self.queue.append(queued)
        self.accepted_tasks.append(queued)
        seen.add(tid)
        return tid, "0 OK"

    async def _post_sms(self, request: web.Request) -> web.Response:
        body = self._json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("tasks"), list):
            return self._json({"code": 400, "reason": "Invalid JSON"})
        for key in ("sr_url", "sms_url"):
            if isinstance(body.get(key), str):
                setattr(self, key, body[key] or None)
        for key in ("sr_cnt", "sr_prd", "sms_cnt", "sms_prd"):
            if (value := _int(body.get(key))) is not None:
                setattr(self, key, value)
        seen: set[int] = {queued.tid for queued in self.queue}
        self._registered = None
        statuses = []
        for task in body["tasks"]:
            tid, status = self._accept_task(task, seen)
            statuses.append({"tid": tid, "status": status})
        self._wake.set()
        return self._json({"code": 200, "reason": "OK", "type": "task-status", "status": statuses})

    def _next_sendable(self) -> QueuedTask | None:
        return next((task for task in self.queue if not task.paused and not task.done), None)

    async def _send_worker(self) -> None:
        while True:
            task = None if self.sends_held else self._next_sendable()
            if task is None:
                self._wake.clear()
                await self._wake.wait()
                continue
            # `intvl` spaces the SMS of one task; the first waits only for the queue's own pace.
            pause = self.send_interval if task.next_index == 0 else max(self.send_interval, task.interval_ms / 1000)
            await asyncio.sleep(pause)
            if task in self.queue and not task.paused and not task.done and not self.sends_held:
                self._send_one(task)

    def _send_one(self, task: QueuedTask) -> None:
        index = task.next_index
        number = task.recipients[index]
        task.next_index += 1
        chosen = next(
            (
                (port, slot)
                for port, slot in task.ports
                if self.ports[port - 1].active == slot and self.ports[port - 1].code(slot) == REGISTERED
            ),
            None,
        )
        port_number, slot_number = chosen or task.ports[0]
        slot = self.ports[port_number - 1].slot(slot_number)
        counters = slot.counters
        moment = now()
        reason, carrier = "", ""
        if chosen is None:
            reason = "5 SIM Unregistered"
        elif slot.sim is not None and slot.sim.balance <= 0:
            reason, carrier = NO_CREDIT
        elif number in self.failing_recipients:
            reason = "6 Timeout"
        port_label = report_label(port_number, slot_number, self.variants)
        if reason:
            task.failed += 1
            counters.sms.append((moment, "sent_failed"))
            counters.consecutive_failed += 1
            if task.failure_report:
                self._report(task, "fdr", [index, number, port_label, int(moment), reason, carrier])
        else:
            task.sent += 1
            self.sent_log.append((number, port_label))
            counters.sms.append((moment, "sent_ok"))
            counters.consecutive_failed = 0
            if task.success_report:
                self._report(task, "sdr", [index, number, port_label, int(moment)])
            if task.delivery_report:
                self.spawn(self._delivered_later(port_number, slot_number, number), "ejoin-delivery")
        if task.done:
            self.queue.remove(task)

    async def _delivered_later(self, port: int, slot: int, number: str) -> None:
        await asyncio.sleep(self.delivery_delay)
        sim = self.ports[port - 1].slot(slot).sim
        entry = self._store(1, port, slot, sender=sim.number if sim else "", recipient=number, text="")
        entry.smsc = "+491770610000"
        self._forward(entry)

    def _report(self, task: QueuedTask, kind: str, detail: list[Any]) -> None:
        report = self._reports.setdefault(task.tid, {"tid": task.tid, "sdr": [], "fdr": []})
        report.update(sending=0, sent=task.sent, failed=task.failed, unsent=len(task.recipients) - task.next_index)
        report[kind].append(detail)
        self._report_details += 1
        if self._report_details >= max(self.sr_cnt, 1):
            self._flush_reports()
        elif self._report_timer is None:
            self._report_timer = self.spawn(self._flush_reports_later(), "ejoin-report-timer")

    async def _flush_reports_later(self) -> None:
        await asyncio.sleep(self.sr_prd)
        self._report_timer = None
        self._flush_reports()

    def _flush_reports(self) -> None:
        reports, self._reports, self._report_details = list(self._reports.values()), {}, 0
        if self._report_timer is not None:
            self._report_timer.cancel()
            self._report_timer = None
        for report in reports:
            for key in ("sdr", "fdr"):
                if not report[key]:
                    del report[key]
        if reports and self.sr_url:
            body = {"type": "status-report", "rpt_num": len(reports), "rpts": reports}
            self.spawn(self.push(self.sr_url, json.dumps(body).encode()), "ejoin-status-report")

    # --- task management ----------------------------------------------------------------------------------

    def _task_op(self, request: web.Request, action: str) -> web.Response:
        body = self._json_body(request)
        tids = body.get("tids") if isinstance(body, dict) else None
        if tids is None:  # no tids: every task, and no per-task results
            for task in list(self.queue):
                self._change_task(task, action)
            self._wake.set()
            return self._json({"code": 200, "reason": "OK"})
        if not isinstance(tids, list):
            return self._json({"code": 400, "reason": "Invalid tids"})
        found = {task.tid: task for task in self.queue}
        if tids and not any(_int(tid) in found for tid in tids):
            return self._json({"code": 404, "reason": "Tasks Not Found"})
        results = []
        for tid in tids:
            target = found.get(_int(tid, -1) or -1)
            if target is not None:
                self._change_task(target, action)
            results.append({"tid": tid, "status": "0 OK" if target is not None else "404 Task Not Found"})
        self._wake.set()
        return self._json({"code": 200, "reason": "OK", "results": results})

    def _change_task(self, task: QueuedTask, action: str) -> None:
        if action == "remove":
            self.queue.remove(task)
        else:
            task.paused = action == "pause"

    async def _pause_tasks(self, request: web.Request) -> web.Response:
        return self._task_op(request, "pause")

    async def _resume_tasks(self, request: web.Request) -> web.Response:
        return self._task_op(request, "resume")

    async def _remove_tasks(self, request: web.Request) -> web.Response:
        return self._task_op(request, "remove")

    async def _get_tasks(self, request: web.Request) -> web.Response:
        port = _int(self._query(request, "port"))
        if port is None or self._port(port) is None:
            return self._json({"code": 2, "reason": "Invalid Port"})
        pos = max(_int(self._query(request, "pos"), 0) or 0, 0)
        num = max(_int(self._query(request, "num"), 10) or 10, 1)
        content = self._query(request, "has_content") == "1"
        tasks = [task for task in self.queue if any(number == port for number, _ in task.ports)]
        if not tasks:
            return self._json({"code": 404, "reason": "Tasks Not Found"})
        page = []
        for task in tasks[pos : pos + num]:
            entry: dict[str, Any] = {
                "tid": task.tid,
                "state": int(task.paused),
                "from": task.from_text,
                "to": ",".join(task.recipients[task.next_index :]),
                "chs": task.charset,
                "coding": task.coding,
            }
            if content:
                entry["sms"] = task.text
            page.append(entry)
        return self._json({"code": 200, "reason": "OK", "total_num": len(tasks), "task_num": len(page), "tasks": page})

    # --- receiving ----------------------------------------------------------------------------------------

    def _store(self, flag: int, port: int, slot: int, *, sender: str, recipient: str, text: str) -> InboxEntry:
        entry = InboxEntry(
            sms_id=self.next_sms_id,
            flag=flag,
            port=port,
            slot=slot,
            received=int(now()),
            sender=sender,
            recipient=recipient,
            text=text,
            smsc="+491770610000",
        )
        self.next_sms_id += 1
        self.inbox.append(entry)
        return entry

    def _row(self, entry: InboxEntry) -> list[Any]:
        sim = self.ports[entry.port - 1].slot(entry.slot).sim
        return inbox_row(
            entry,
            self._label(entry.port, entry.slot),
            sim.iccid if sim else "",
            sim.imsi if sim else "",
            self.variants,
        )

    def deliver_sms(
        self, port: int, slot: int | None, sender: str, text: str, recipient: str | None = None
    ) -> InboxEntry:
        """An SMS arrives on a port (its active slot by default); it is stored and forwarded."""
        state = self._port(port)
        if state is None:
            msg = f"no port {port}"
            raise ValueError(msg)
        slot = slot or state.active
        sim = state.slot(slot).sim
        own_number = sim.number if sim else ""
        entry = self._store(
            0, port, slot, sender=sender, recipient=own_number if recipient is None else recipient, text=text
        )
        state.slot(slot).counters.sms.append((now(), "received"))
        self._forward(entry)
        return entry

    def deliver_sms_parts(
        self,
        port: int,
        sender: str,
        parts: list[str],
        *,
        reference: int = 7,
        skip: frozenset[int] = frozenset(),
    ) -> list[InboxEntry]:
        """A long SMS arrives in parts that this firmware does not join (each stored with a `Concat:` header).

        `skip` holds 1-based part numbers that never arrive (lost on the network side).
        """
        state = self._port(port)
        if state is None:
            msg = f"no port {port}"
            raise ValueError(msg)
        sim = state.slot(state.active).sim
        entries = []
        for number, text in enumerate(parts, start=1):
            if number in skip:
                continue
            entry = self._store(0, port, state.active, sender=sender, recipient=sim.number if sim else "", text=text)
            entry.concat = (reference, number, len(parts))
            state.slot(state.active).counters.sms.append((now(), "received"))
            self._forward(entry)
            entries.append(entry)
        return entries

    def deliver_report(self, port: int, slot: int | None, recipient: str, code: int = 0) -> InboxEntry:
        """A delivery report (flag-1 row) arrives for `recipient`."""
        state = self._port(port)
        if state is None:
            msg = f"no port {port}"
            raise ValueError(msg)
        entry = self._store(1, port, slot or state.active, sender="+491770610000", recipient=recipient, text="")
        entry.report_code = code
        self._forward(entry)
        return entry

    def _forward(self, entry: InboxEntry) -> None:
        if not self.sms_url:
            return
        if self.sms_cnt > 1:
            self._sms_buffer.append(entry)
            if len(self._sms_buffer) >= self.sms_cnt:
                self._flush_sms()
            elif self._sms_timer is None:
                self._sms_timer = self.spawn(self._flush_sms_later(), "ejoin-sms-timer")
        elif entry.flag == 0:  # the legacy forward carries SMS only
            sim = self.ports[entry.port - 1].slot(entry.slot).sim
            url = URL(self.sms_url).update_query(
                port=self._label(entry.port, entry.slot), sender=entry.sender, iccid=sim.iccid if sim else ""
            )
            content_type = "application/octet-stream" if "legacy_octet" in self.variants else "text/plain;charset=utf-8"
            self.spawn(self.push(str(url), entry.text.encode(), content_type), "ejoin-legacy-sms")

    async def _flush_sms_later(self) -> None:
        await asyncio.sleep(self.sms_prd)
        self._sms_timer = None
        self._flush_sms()

    def _flush_sms(self) -> None:
        entries, self._sms_buffer = self._sms_buffer, []
        if self._sms_timer is not None:
            self._sms_timer.cancel()
            self._sms_timer = None
        if entries and self.sms_url:
            body = {"type": "recv-sms", "sms_num": len(entries), "sms": [self._row(entry) for entry in entries]}
            self.spawn(self.push(self.sms_url, json.dumps(body).encode()), "ejoin-recv-sms")

    async def deliver_mms(
        self,
        port: int,
        sender: str,
        subject: str,
        text: str,
        attachments: list[tuple[str, bytes]],
    ) -> bool:
        """An MMS arrives; it is pushed (never stored) to the MMS URL, or `sms_url` when none is set."""
        target = self.mms_url or self.sms_url
        state = self._port(port)
        if target is None or state is None:
            return False
        sim = state.slot(state.active).sim
        body, content_type = mms_body(text, attachments, boundary="ejoin-" + secrets.token_hex(6))
        headers = mms_headers(
            subject=subject,
            sender=sender,
            recipient=sim.number if sim else "",
            port_label=self._label(port, state.active),
            moment=now(),
        )
        return await self.push(target, body, content_type, headers=headers)

    async def _get_sms(self, request: web.Request) -> web.Response:
        start = max(_int(self._query(request, "sms_id"), 1) or 1, 1)
        count = max(_int(self._query(request, "sms_num"), 0) or 0, 0)
        matching = [entry for entry in self.inbox if entry.sms_id >= start]
        chosen = matching[:count] if count else matching
        rows = [self._row(entry) for entry in chosen]
        next_sms = chosen[-1].sms_id + 1 if chosen else (max(self.next_sms_id, start))
        if self._query(request, "sms_del") == "1":
            self.inbox = [entry for entry in self.inbox if entry not in chosen]
        return self._json(
            {"code": 0, "reason": "OK", "ssrc": self.ssrc, "sms_num": len(rows), "next_sms": next_sms, "data": rows}
        )

    # --- statistics ---------------------------------------------------------------------------------------

    def _stat_selection(self, request: web.Request) -> tuple[list[tuple[PortState, int]], float | None] | None:
        ports = parse_numbers(self._query(request, "ports"), self.port_count)
        slots_text = self._query(request, "slots")
        slots = None if slots_text is None else parse_numbers(slots_text, self.slot_count)
        kind = _int(self._query(request, "type"), 0)
        if ports is None or (slots_text is not None and slots is None) or kind not in STAT_WINDOWS:
            return None
        chosen = [
            (self.ports[number - 1], slot)
            for number in ports
            for slot in (slots if slots is not None else [self.ports[number - 1].active])
        ]
        return chosen, STAT_WINDOWS[kind]

    async def _sms_stat(self, request: web.Request) -> web.Response:
        selection = self._stat_selection(request)
        if selection is None:
            return self._json({"code": 400, "reason": "Invalid parameter"})
        chosen, window = selection
        moment = now()
        stats = []
        for port, slot in chosen:
            counters = port.slot(slot).counters
            ok, failed = counters.count("sent_ok", window, moment), counters.count("sent_failed", window, moment)
            unsent = sum(
                len(task.recipients) - task.next_index for task in self.queue if (port.port, slot) in task.ports[:1]
            )
            stats.append(
                {
                    "port": port.port,
                    "slot": slot,
                    "received": counters.count("received", window, moment),
                    "sent": ok + failed,
                    "sent_ok": ok,
                    "sent_failed": failed,
                    "con_failed": counters.consecutive_failed,
                    "unsent": unsent,
                    "sending": 0,
                }
            )
        return self._json({"code": 200, "reason": "OK", "count": len(stats), "stats": stats})

    async def _call_stat(self, request: web.Request) -> web.Response:
        selection = self._stat_selection(request)
        if selection is None:
            return self._json({"code": 400, "reason": "Invalid parameter"})
        chosen, window = selection
        moment = now()
        stats = []
        for port, slot in chosen:
            calls = port.slot(slot).counters.calls_in(window, moment)
            connected = [seconds for _, ok, seconds in calls if ok]
            total = sum(connected)
            stats.append(
                {
                    "port": port.port,
                    "slot": slot,
                    "calls": len(calls),
                    "alerted": len(calls),
                    "connected": len(connected),
                    "con_failed": len(calls) - len(connected),
                    "nc": f"{len(connected)}/{len(calls)}",
                    "pdd": 3 if calls else 0,
                    "acd": total // len(connected) if connected else 0,
                    "asr": len(connected) * 100 // len(calls) if calls else 0,
                    "tcd": (total + 59) // 60,
                    "act_tcd": total,
                }
            )
        return self._json({"code": 200, "reason": "OK", "count": len(stats), "stats": stats})

    def record_call(self, port: int, slot: int | None, *, connected: bool, seconds: int = 0) -> None:
        """A call happened on a slot (the simulator places no calls itself)."""
        state = self.ports[port - 1]
        state.slot(slot or state.active).counters.calls.append((now(), connected, seconds if connected else 0))

    # --- USSD ---------------------------------------------------------------------------------------------

    async def _ussd(self, request: web.Request) -> web.Response:
        self._require("no_ussd")
        parsed = parse_label(self._query(request, "port") or "")
        code = (self._query(request, "ussd") or "").strip()
        port = self._port(parsed[0]) if parsed else None
        if port is None:
            return self._json({"code": 2, "reason": "Invalid Port"})
        if not code:
            return self._json({"code": 3, "reason": "USSD Expected"})
        slot = port.slot(port.active)
        if port.code(port.active) != REGISTERED or slot.sim is None:
            return self._json({"code": 5, "reason": "SIM Unregistered"})
        self.ussd_requests.append((self._label(port.port, port.active), code))
        reply = USSD_REPLIES.get(code, "Unknown application").format(balance=slot.sim.balance, number=slot.sim_number)
        answer: dict[str, Any] = {"code": self._ok_code(), "reason": "OK"}
        if "ussd_no_resp" not in self.variants:
            answer["resp"] = reply
        return self._json(answer)

    # --- eSIM ---------------------------------------------------------------------------------------------

    @staticmethod
    def _profile_json(profile: EsimProfileState) -> dict[str, Any]:
        return {
            "slot": profile.slot,
            "enabled": int(profile.enabled),
            "iccid": profile.iccid,
            "ac": profile.ac,
            "cc": profile.cc,
            "provider": profile.provider,
            "exust": int(profile.exists),
            "op": profile.op,
            "status": profile.status,
            "reason": profile.reason,
        }

    async def _get_esims(self, request: web.Request) -> web.Response:
        self._require("no_esim")
        ports = parse_numbers(self._query(request, "ports"), self.port_count)
        if ports is None:
            return self._json({"code": 400, "reason": "Invalid parameter"})
        entries = [
            {
                "port": number,
                "eid": self.esims[number].eid,
                "esim_state": 1,
                "profiles": [self._profile_json(profile) for profile in self.esims[number].profiles.values()],
            }
            for number in ports
        ]
        return self._json({"code": 200, "reason": "OK", "count": len(entries), "ports": entries})

    def _esim_job(self, request: web.Request, operation: int) -> web.Response:
        self._require("no_esim")
        items = self._json_body(request)
        if not isinstance(items, list):
            return self._json({"code": 400, "reason": "Invalid JSON"})
        results = []
        for item in items:
            port = _int(item.get("port")) if isinstance(item, dict) else None
            slot = _int(item.get("slot")) if isinstance(item, dict) else None
            esim = self.esims.get(port or 0)
            if esim is None or slot not in esim.profiles or (operation == 1 and not item.get("ac")):
                results.append({"port": port, "slot": slot, "status": 3, "reason": "invalid request"})
                continue
            if esim.busy:
                results.append({"port": port, "slot": slot, "status": 2, "reason": "port busy"})
                continue
            profile = esim.profiles[slot]
            profile.op, profile.status, profile.reason = operation, 1, ""
            if operation == 1:
                profile.ac, profile.cc = str(item.get("ac")), str(item.get("cc") or "")
            self.spawn(self._run_esim_job(profile), "ejoin-esim-job")
            results.append({"port": port, "slot": slot, "status": 1})
        return self._json({"code": 200, "reason": "OK", "results": results})

    async def _run_esim_job(self, profile: EsimProfileState) -> None:
        await asyncio.sleep(self.esim_delay)
        profile.status = 2
        await asyncio.sleep(self.esim_delay)
        if self.esim_fail:
            profile.status, profile.reason = 3, "profile download failed"
        elif profile.op == 1:
            profile.exists = profile.enabled = True
            profile.iccid, profile.provider = make_iccid(self.rng), "Demo Mobile"
            profile.status = 0
        else:
            profile.exists = profile.enabled = False
            profile.iccid = profile.provider = profile.ac = profile.cc = ""
            profile.status = 0
        profile.op = 0

    async def _write_esims(self, request: web.Request) -> web.Response:
        return self._esim_job(request, 1)

    async def _delete_esims(self, request: web.Request) -> web.Response:
        return self._esim_job(request, 2)

    # --- encrypted session, proxy, IP lists ---------------------------------------------------------------

    async def _crypt_sess(self, request: web.Request) -> web.Response:
        self._require("no_crypt")
        session = self.sessions.open(
            self._query(request, "username") or "",
            self._query(request, "cnonce") or "",
            self._query(request, "auth") or "",
            (self._query(request, "crypt") or "").lower(),
            _int(self._query(request, "expires"), 180) or 180,
        )
        if session is None:
            return self._json({"code": 1, "desc": "Invalid auth"})
        return self._json({"code": 0, "desc": "OK", "session": session.session, "expires": session.expires})

    async def _proxy(self, request: web.Request) -> web.Response:
        self._require("no_v22")
        resource = request.path.lstrip("/")
        mode = self._query(request, "mode")
        if request.method == "GET":
            return self._json(self.proxy.get(resource, mode, state=self._query(request, "state") is not None))
        body = self._json_body(request) if self._body(request).strip() else {}
        return self._json(self.proxy.post(resource, mode, self._query(request, "op"), body))

    async def _ip_list(self, request: web.Request) -> web.Response:
        self._require("no_v22")
        kind = request.path.lstrip("/")
        if request.method == "GET":
            return self._json(self.proxy.ip_get(kind))
        return self._json(self.proxy.ip_post(kind, self._json_body(request)))

    # --- control ------------------------------------------------------------------------------------------

    def reboot(self) -> None:
        """Restart: new `ssrc`, messages numbered again from 1, send queue and sessions lost, SIMs re-register."""
        self.ssrc = self._new_ssrc()
        for number, entry in enumerate(self.inbox, start=1):
            entry.sms_id = number
        self.next_sms_id = len(self.inbox) + 1
        self.queue.clear()
        self.sessions.sessions.clear()
        self.dev_seq = 0
        for port in self.ports:
            self._reregister(port)

    def set_sim_status(self, port: int, slot: int | None, code: int) -> None:
        """Force a slot's module state (e.g. 6 registration failed, 5 no balance)."""
        state = self.ports[port - 1]
        slot = slot or state.active
        state.slot(slot).status = code
        self._port_changed(state, slot)

    def set_balance(self, port: int, slot: int | None, balance: float) -> None:
        """Set a SIM's credit; at 0 or less the network refuses its SMS (see the module doc)."""
        state = self.ports[port - 1]
        sim = state.slot(slot or state.active).sim
        if sim is not None:
            sim.balance = balance

    def set_sim_present(self, port: int, slot: int, *, present: bool) -> None:
        """Remove or insert a SIM card."""
        state = self.ports[port - 1]
        state.slot(slot).sim = make_sim(self.rng) if present else None
        self._port_changed(state, slot)

    async def control(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        """Control actions over `POST /_sim/<action>`."""
        port = _int(params.get("port"))
        slot = _int(params.get("slot"))
        if isinstance(params.get("port"), str) and (parsed := parse_label(params["port"])) is not None:
            port, slot = parsed[0], parsed[1] or slot
        if action == "deliver_sms":
            kind = params.get("kind", "sms")
            if kind == "mms":
                attachments = [(str(t), b"\xff" * int(size)) for t, size in params.get("attachments", [])]
                delivered = await self.deliver_mms(
                    port or 1,
                    str(params.get("sender", "")),
                    str(params.get("subject", "")),
                    str(params.get("text", "")),
                    attachments,
                )
                return {"delivered": delivered}
            if kind == "parts":
                entries = self.deliver_sms_parts(
                    port or 1,
                    str(params.get("sender", "")),
                    [str(part) for part in params.get("parts", [])],
                    reference=_int(params.get("reference"), 7) or 7,
                    skip=frozenset(_int(n, 0) or 0 for n in params.get("skip", [])),
                )
                return {"sms_ids": [entry.sms_id for entry in entries], "ssrc": self.ssrc}
            if kind == "delivery_report":
                entry = self.deliver_report(
                    port or 1, slot, str(params.get("recipient", "")), _int(params.get("code"), 0) or 0
                )
            else:
                text = str(params.get("text", ""))
                if kind == "multipart" and len(text) <= 160:
                    text = (text + " ") * (320 // (len(text) + 1) + 1)
                entry = self.deliver_sms(port or 1, slot, str(params.get("sender", "")), text, params.get("recipient"))
            return {"sms_id": entry.sms_id, "ssrc": self.ssrc}
        if action == "set_sim_status":
            self.set_sim_status(port or 1, slot, _int(params.get("code"), REGISTERED) or 0)
        elif action in {"remove_sim", "insert_sim"}:
            self.set_sim_present(port or 1, slot or 1, present=action == "insert_sim")
        elif action == "reboot":
            self.reboot()
        elif action == "fail_recipients":
            self.failing_recipients = set(params.get("numbers", []))
        elif action == "set_balance":
            self.set_balance(port or 1, slot, float(params.get("balance", 0)))
        elif action == "esim_fail":
            self.esim_fail = bool(params.get("enabled", True))
        elif action == "record_call":
            self.record_call(
                port or 1,
                slot,
                connected=bool(params.get("connected", True)),
                seconds=_int(params.get("seconds"), 0) or 0,
            )
        elif action == "hold_sends":
            self.sends_held = bool(params.get("hold", True))
            self._wake.set()
        elif action == "set_mms_url":
            self.mms_url = params.get("url") or None
        elif action == "flush":
            self._flush_sms()
            self._flush_reports()
        else:
            raise web.HTTPNotFound(text=f"unknown control action {action}")
        return {"ok": True, "state": self.snapshot()}

    def snapshot(self) -> dict[str, Any]:
        """JSON-friendly view of the device."""
        return {
            "ssrc": self.ssrc,
            "status_url": self.status_url,
            "status_period": self.status_period,
            "sms_url": self.sms_url,
            "sms_cnt": self.sms_cnt,
            "sr_url": self.sr_url,
            "queue": [
                {"tid": task.tid, "paused": task.paused, "left": len(task.recipients) - task.next_index}
                for task in self.queue
            ],
            "inbox": len(self.inbox),
            "ports": {
                port.port: {
                    "active": port.active,
                    "led": port.led,
                    "slots": {number: port.code(number) for number in range(1, self.slot_count + 1)},
                }
                for port in self.ports
            },
        }
