"""Simulated Synway SMG4000-series wireless gateway: `POST /API/TaskHandle` and `POST /API/QueryInfo`.

HTTP Basic auth with the simulator's username and password (`root`/`root` unless told otherwise; real devices
use a dedicated API account, usually `ApiUserAdmin`). Paths outside `/API/` answer 404 without asking for
credentials, so the other dialects' probes (`/goip_get_sms.html`, `/api/query_sms_in_queue`) get a plain 404.
Request keys are case-insensitive and values may be numbers, as on the real device.

The simulated device clock runs on UTC (`clock_offset` shifts it). Ports count from 1 unless `zero-based`.

Variants (`self.variants`, or POST /_sim/variants {"enable": [...]}):
- `ok-casing`: successful answers say `"result":"oK"` (a documented spelling).
- `zero-based`: ports are numbered from 0 on the wire, in requests and answers.
- `extra-terminators`: trailing `.` after the port-state list and `;` after record lists and counts.
- `spaced`: the spec's layout: a newline and a space between records, `| NULL|E`.
- `porttype-per-port`: `getwirelessinfo porttype` answers `1:WCDMA.2:WCDMA.` instead of `PortType:WCDMA`.
- `sc-time-prefix`: inbox texts start with `YYYYMMDDhhmmss|:` (the spec's second inbox example).
- `unknown-sim-numbers`: SIM numbers are written as `(-1)`.
- `imei-unavailable`: `getwirelessinfo IMEI` answers an error (port numbering then has to come from ICCID).
- `no-newqueryrxsms`: the undocumented `newqueryrxsms` answers `{"result":"error"}`.
- `newqueryrxsms-404`: `newqueryrxsms` answers HTTP 404.
- `raw-control-chars`: `newqueryrxsms` writes control characters (newlines, tabs) raw inside the JSON string.
- `short-aliases`: `/API/SendSMS` and `/API/QueryRxSMS` answer like the documented paths.
- `alias-only-sms`: `txsms` on `/API/TaskHandle` and `queryrxsms` on `/API/QueryInfo` answer 404; the short
  aliases work (implies `short-aliases`).
- `ignore-time-filters`: inbox queries ignore `begintime` and `endtime`.

Control actions (POST /_sim/<action> with a JSON body; ports and slots 1-based):
`deliver_sms {port, slot?, sender, text, at?: "YYYYMMDDhhmmss"}`, `set_port {port, connect_state?, port_state?,
port_type?}`, `remove_sim {port, slot?}`, `insert_sim {port, slot?}`, `set_clock_offset {seconds}`,
`set_number_outcome {number, outcome: "ok"|"fail"|"undelivered"}`, `set_balance {port, slot?, balance}` (a SIM at
0 or less stays connected; the network refuses its SMS, so each one it sends ends failed), `complete_sends {}`,
`set_ussd_reply {code?, text}`, `reboot {seconds?}`, `clear_inbox {}`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Awaitable, Callable
from datetime import datetime
import json
import logging
from typing import Any, ClassVar

from aiohttp import web

from ..base import GatewaySimulator, register
from ..data import DemoMessages
from . import format as fmt
from .state import SynwayState

_LOGGER = logging.getLogger(__name__)

TASK_PATH = "/API/TaskHandle"
QUERY_PATH = "/API/QueryInfo"
SEND_ALIAS = "/API/SendSMS"
INBOX_ALIAS = "/API/QueryRxSMS"
MAX_NUMBERS = 50
MAX_GSM7 = 600
MAX_UCS2 = 300
MAX_USSD = 255

type EventHandler = Callable[[dict[str, str]], Awaitable[web.Response]]


class _RequestError(Exception):
    """A request the device refuses with `{"result":"error","content":reason}`."""


@register
class SynwaySimulator(GatewaySimulator):
    """A stateful Synway SMG gateway."""

    vendor: ClassVar[str] = "synway"

    def __init__(self, **kwargs: Any) -> None:
        """Create the gateway state; see `GatewaySimulator` for the arguments."""
        super().__init__(**kwargs)
        self.state = SynwayState(ports=self.port_count, slots=self.slot_count, rng=self.rng)
        self._task_events: dict[str, EventHandler] = {
            "txsms": self._txsms,
            "deletesms": self._deletesms,
            "txussd": self._txussd,
            "deleteussd": self._deleteussd,
        }
        self._query_events: dict[str, EventHandler] = {
            "getportinfo": self._getportinfo,
            "getportconnectstate": self._getportconnectstate,
            "getwirelessinfo": self._getwirelessinfo,
            "querytxsms": self._querytxsms,
            "queryrxsms": self._queryrxsms,
            "newqueryrxsms": self._newqueryrxsms,
            "querysxsms": self._querysxsms,
            "querytxsmsrpt": self._querytxsmsrpt,
            "rxussd": self._rxussd,
        }

    # --- server plumbing -----------------------------------------------------------------------------------

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """The two documented paths and the two short aliases."""
        router.add_post(TASK_PATH, self._handle_task)
        router.add_post(QUERY_PATH, self._handle_query)
        router.add_post(SEND_ALIAS, self._handle_send_alias)
        router.add_post(INBOX_ALIAS, self._handle_inbox_alias)

    def authenticate(self, request: web.Request, body: bytes) -> web.StreamResponse | None:  # noqa: ARG002
        """Basic auth on `/API/`; everything else is left to the router (404)."""
        if not request.path.startswith("/API/"):
            return None
        header = request.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return self.reject_credentials(request)
        try:
            user, _, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
        except binascii.Error, UnicodeDecodeError:
            return self.reject_credentials(request)
        if (user, password) != (self.username, self.password):
            return self.reject_credentials(request)
        return None

    def refusal(self, request: web.Request, reason: str, code: int | None) -> web.StreamResponse:  # noqa: ARG002
        """`{"result": "error", "content": <reason>}` (Synway answers carry no code)."""
        return self._error(reason)

    def reject_credentials(self, request: web.Request) -> web.StreamResponse:  # noqa: ARG002
        """A Basic challenge, as the device's web server sends."""
        return web.Response(
            status=401,
            text="401 Unauthorized",
            headers={"WWW-Authenticate": 'Basic realm="SMG Wireless Gateway"'},
        )

    def _style(self) -> fmt.Style:
        return fmt.Style(
            wire=self._wire,
            single_sim=self.slot_count == 1,
            extra_terminators="extra-terminators" in self.variants,
            spaced="spaced" in self.variants,
            sc_time_prefix="sc-time-prefix" in self.variants,
            unknown_numbers="unknown-sim-numbers" in self.variants,
        )

    def _wire(self, port: int) -> int:
        return port - 1 if "zero-based" in self.variants else port

    def _ok(self, content: str, *, raw_control: bool = False) -> web.Response:
        result = "oK" if "ok-casing" in self.variants else "ok"
        if not raw_control:
            return web.json_response({"result": result, "content": content}, dumps=_dumps)
        # Escape only what JSON cannot do without; control characters go out raw, as some firmware does.
        escaped = content.replace("\\", "\\\\").replace('"', '\\"')
        body = '{"result":"' + result + '","content":"' + escaped + '"}'
        return web.Response(body=body.encode(), content_type="application/json")

    @staticmethod
    def _error(reason: str) -> web.Response:
        return web.json_response({"result": "error", "content": reason}, dumps=_dumps)

    async def _read(self, request: web.Request) -> dict[str, str] | None:
        try:
            raw = json.loads(await request.read(), strict=False)
        except ValueError, UnicodeDecodeError:
            return None
        if not isinstance(raw, dict):
            return None
        return {str(key).lower(): str(value).strip() for key, value in raw.items()}

    async def _dispatch(self, request: web.Request, events: dict[str, EventHandler], path: str) -> web.Response:
        params = await self._read(request)
        if params is None:
            return self._error("invalid request body")
        event = params.get("event", "").lower()
        if (event, path) in {("txsms", TASK_PATH), ("queryrxsms", QUERY_PATH)} and "alias-only-sms" in self.variants:
            raise web.HTTPNotFound
        handler = events.get(event)
        if handler is None:
            return self._error("unsupported event")
        self.state.advance()
        try:
            return await handler(params)
        except _RequestError as err:
            return self._error(str(err))

    async def _handle_task(self, request: web.Request) -> web.Response:
        return await self._dispatch(request, self._task_events, TASK_PATH)

    async def _handle_query(self, request: web.Request) -> web.Response:
        return await self._dispatch(request, self._query_events, QUERY_PATH)

    def _aliases_on(self) -> bool:
        return bool({"short-aliases", "alias-only-sms"} & self.variants)

    async def _handle_send_alias(self, request: web.Request) -> web.Response:
        if not self._aliases_on():
            raise web.HTTPNotFound
        return await self._dispatch(request, self._task_events, SEND_ALIAS)

    async def _handle_inbox_alias(self, request: web.Request) -> web.Response:
        if not self._aliases_on():
            raise web.HTTPNotFound
        return await self._dispatch(request, self._query_events, INBOX_ALIAS)

    # --- request parameters ----------------------------------------------------------------------------------

    def _ports(self, raw: str | None, *, default_all: bool = True) -> list[int]:
        """1-based ports of a `port` field (`1,2,3`, `-1` for all); slot suffixes (`1.A`) are dropped here."""
        if raw is None or raw.strip() in {"", "-1"}:
            return self.state.port_numbers() if default_all else []
        ports: list[int] = []
        for item in raw.split(","):
            head = item.strip().split(".", 1)[0]
            try:
                wire = int(head)
            except ValueError:
                raise _RequestError("invalid port") from None
            port = wire + 1 if "zero-based" in self.variants else wire
            if port not in self.state.ports:
                raise _RequestError("invalid port")
            ports.append(port)
        return ports

    def _port_slots(self, raw: str | None) -> list[tuple[int, int | None]]:
        """`1,2.B` as (port, slot or None for every slot)."""
        if raw is None or raw.strip() in {"", "-1"}:
            return [(port, None) for port in self.state.port_numbers()]
        pairs: list[tuple[int, int | None]] = []
        for item in raw.split(","):
            port_text, _, slot_text = item.strip().partition(".")
            port = self._ports(port_text)[0]
            slot = fmt.SLOT_LETTERS.index(slot_text.upper()) + 1 if slot_text.strip() else None
            pairs.append((port, slot))
        return pairs

    @staticmethod
    def _time(params: dict[str, str], key: str) -> datetime | None:
        raw = params.get(key)
        if not raw:
            return None
        try:
            return datetime.strptime(raw, "%Y%m%d%H%M%S")  # noqa: DTZ007 - device local time
        except ValueError:
            raise _RequestError(f"invalid {key}") from None

    def _window(self, params: dict[str, str]) -> tuple[datetime | None, datetime | None]:
        if "ignore-time-filters" in self.variants:
            return None, None
        return self._time(params, "begintime"), self._time(params, "endtime")

    @staticmethod
    def _within(at: datetime, begin: datetime | None, end: datetime | None) -> bool:
        return (begin is None or at >= begin) and (end is None or at <= end)

    @staticmethod
    def _numbers(raw: str | None) -> set[str]:
        return {item.strip() for item in (raw or "").split(",") if item.strip()}

    # --- device information ----------------------------------------------------------------------------------

    async def _getportinfo(self, _params: dict[str, str]) -> web.Response:
        states = [self.state.ports[port].port_state for port in self.state.port_numbers()]
        return self._ok(fmt.counted_list(self._style(), "portstate", states, dot=False))

    async def _getportconnectstate(self, _params: dict[str, str]) -> web.Response:
        states = [self.state.ports[port].connect_state for port in self.state.port_numbers()]
        return self._ok(fmt.counted_list(self._style(), "ConnectState", states, dot=True))

    async def _getwirelessinfo(self, params: dict[str, str]) -> web.Response:
        kind = params.get("type", "").lower()
        ports = [self.state.ports[number] for number in self._ports(params.get("port"))]
        style = self._style()
        if kind == "porttype":
            if "porttype-per-port" in self.variants:
                return self._ok(fmt.port_values(style, [(port.number, port.port_type) for port in ports]))
            return self._ok(f"PortType:{ports[0].port_type if ports else 'WCDMA'}")
        if kind == "imei":
            if "imei-unavailable" in self.variants:
                raise _RequestError("IMEI query not supported")
            return self._ok(fmt.port_values(style, [(port.number, port.imei) for port in ports]))
        if kind in {"iccid", "imsi"}:
            values: list[tuple[int, str | None]] = [
                (port.number, port.sim.iccid if kind == "iccid" else port.sim.imsi)
                for port in ports
                if port.sim is not None
            ]
            return self._ok(fmt.port_values(style, values))
        if kind == "phoneno":
            hide = "unknown-sim-numbers" in self.variants
            values = [(port.number, None if hide or port.sim is None else port.sim.number) for port in ports]
            return self._ok(fmt.port_values(style, values))
        raise _RequestError("invalid type")

    # --- SMS -------------------------------------------------------------------------------------------------

    async def _txsms(self, params: dict[str, str]) -> web.Response:
        numbers = [item.strip() for item in params.get("num", "").split(",") if item.strip()]
        text = params.get("smsinfo", "")
        encoding = params.get("encoding", "0")
        if not numbers:
            raise _RequestError("num is empty")
        if len(numbers) > MAX_NUMBERS:
            raise _RequestError("too many numbers")
        if encoding not in {"0", "8"}:
            raise _RequestError("invalid encoding")
        if not text or len(text) > (MAX_GSM7 if encoding == "0" else MAX_UCS2):
            raise _RequestError("invalid smsinfo length")
        ports = self._ports(params.get("port"))
        task = self.state.create_task(params.get("userid", "0"), numbers, ports, text)
        return self._ok(f"taskid:{task.task_id}")

    async def _querytxsms(self, params: dict[str, str]) -> web.Response:
        wanted: list[int] = []
        for item in params.get("taskid", "").split(","):
            try:
                wanted.append(int(item))
            except ValueError:
                raise _RequestError("invalid taskid") from None
        tasks = [self.state.tasks[task_id] for task_id in wanted if task_id in self.state.tasks]
        if not tasks:
            raise _RequestError("task not found")
        ports = set(self._ports(params.get("port"), default_all=False))
        return self._ok(fmt.tx_tasks(self._style(), tasks, numbers=self._numbers(params.get("num")), ports=ports))

    def _inbox_matches(self, params: dict[str, str]) -> list[Any]:
        begin, end = self._window(params)
        ports = set(self._ports(params.get("port")))
        numbers = self._numbers(params.get("num"))
        return [
            sms
            for sms in self.state.inbox
            if self._within(sms.at, begin, end) and sms.port in ports and (not numbers or sms.sender in numbers)
        ]

    def _delete_flag(self, params: dict[str, str], matches: list[Any]) -> None:
        if params.get("delete", "") in {"1", "true", "yes"}:
            self.state.inbox = [sms for sms in self.state.inbox if sms not in matches]

    async def _queryrxsms(self, params: dict[str, str]) -> web.Response:
        matches = self._inbox_matches(params)
        content = fmt.inbox(self._style(), matches)
        self._delete_flag(params, matches)
        return self._ok(content)

    async def _newqueryrxsms(self, params: dict[str, str]) -> web.Response:
        if "newqueryrxsms-404" in self.variants:
            raise web.HTTPNotFound
        if "no-newqueryrxsms" in self.variants:
            raise _RequestError("unsupported event")
        matches = self._inbox_matches(params)
        content = fmt.inbox(self._style(), matches, dashed=True, with_total=False)
        self._delete_flag(params, matches)
        return self._ok(content, raw_control="raw-control-chars" in self.variants)

    async def _querysxsms(self, params: dict[str, str]) -> web.Response:
        begin, end = self._window(params)
        ports = set(self._ports(params.get("port")))
        numbers = self._numbers(params.get("num"))
        matches = [
            sms
            for sms in self.state.outbox
            if self._within(sms.at, begin, end) and sms.port in ports and (not numbers or sms.recipient in numbers)
        ]
        return self._ok(fmt.outbox(self._style(), matches))

    async def _deletesms(self, params: dict[str, str]) -> web.Response:
        boxes = {item.strip().lower() for item in params.get("smsbox", "r").split(",")}
        clear_all = params.get("clear", "1") == "2"
        begin, end = self._time(params, "begintime"), self._time(params, "endtime")
        targets = self._port_slots(params.get("port"))
        numbers = self._numbers(params.get("phonenum"))

        def doomed(at: datetime, port: int, slot: int, number: str) -> bool:
            if clear_all:
                return True
            in_place = any(port == p and (s is None or s == slot) for p, s in targets)
            return in_place and self._within(at, begin, end) and (not numbers or number in numbers)

        deleted = 0
        if boxes & {"r", "1"}:
            keep = [sms for sms in self.state.inbox if not doomed(sms.at, sms.port, sms.slot, sms.sender)]
            deleted += len(self.state.inbox) - len(keep)
            self.state.inbox = keep
        if "s" in boxes:
            kept = [sms for sms in self.state.outbox if not doomed(sms.at, sms.port, sms.slot, sms.recipient)]
            deleted += len(self.state.outbox) - len(kept)
            self.state.outbox = kept
        return self._ok(fmt.total(self._style(), deleted))

    async def _querytxsmsrpt(self, params: dict[str, str]) -> web.Response:
        ports = self._ports(params.get("port"), default_all=False)
        number = params.get("num", "")
        if len(ports) != 1 or not number or "," in number:
            raise _RequestError("one port and one number")
        return self._ok(self.state.receipts.get((ports[0], number), "NULL"))

    # --- USSD ------------------------------------------------------------------------------------------------

    async def _txussd(self, params: dict[str, str]) -> web.Response:
        code = params.get("ussd", "")
        if not code or len(code) > MAX_USSD:
            raise _RequestError("invalid ussd")
        ports = self._ports(params.get("port"), default_all=False)
        if not ports:
            raise _RequestError("port is empty")
        results = [(port, self.state.send_ussd(port, code).sent) for port in ports]
        return self._ok(fmt.ussd_results(self._style(), results))

    async def _rxussd(self, params: dict[str, str]) -> web.Response:
        ports = set(self._ports(params.get("port")))
        begin, end = self._time(params, "begintime"), self._time(params, "endtime")
        matches = [item for item in self.state.ussd if item.port in ports and self._within(item.at, begin, end)]
        return self._ok(fmt.ussd_records(self._style(), matches))

    async def _deleteussd(self, params: dict[str, str]) -> web.Response:
        raw_port = params.get("port", "-1")
        before = len(self.state.ussd)
        if raw_port.strip() == "-1":
            self.state.ussd = []
        else:
            ports = set(self._ports(raw_port))
            orders = self._numbers(params.get("num"))
            every_order = not orders or orders == {"-1"}
            self.state.ussd = [
                item
                for item in self.state.ussd
                if not (item.port in ports and (every_order or str(item.order) in orders))
            ]
        return self._ok(fmt.total(self._style(), before - len(self.state.ussd)))

    # --- control API, demo -----------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Ports, SIMs and the sizes of the boxes."""
        self.state.advance()
        return {
            "ports": [
                {
                    "port": port.number,
                    "imei": port.imei,
                    "active_slot": port.active_slot,
                    "port_state": port.port_state,
                    "connect_state": port.connect_state,
                    "port_type": port.port_type,
                    "sims": {
                        str(slot): None if sim is None else {"iccid": sim.iccid, "imsi": sim.imsi, "number": sim.number}
                        for slot, sim in port.sims.items()
                    },
                }
                for port in self.state.ports.values()
            ],
            "inbox": len(self.state.inbox),
            "outbox": len(self.state.outbox),
            "tasks": {
                str(task.task_id): [[entry.number, entry.port, entry.status] for entry in task.entries]
                for task in self.state.tasks.values()
            },
            "ussd": len(self.state.ussd),
            "clock_offset": self.state.clock_offset,
        }

    async def control(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        """Control actions; see the module docstring."""
        state = self.state
        port = params.get("port")
        if port is not None and int(port) not in state.ports:
            raise web.HTTPBadRequest(text=f"no port {port}")
        slot = int(params["slot"]) if params.get("slot") is not None else None
        if action == "deliver_sms":
            at = datetime.strptime(params["at"], "%Y%m%d%H%M%S") if params.get("at") else None  # noqa: DTZ007
            state.deliver(int(params["port"]), str(params["sender"]), str(params["text"]), slot=slot, at=at)
            return {"inbox": len(state.inbox)}
        if action == "set_port":
            target = state.ports[int(params["port"])]
            target.connect_state = int(params.get("connect_state", target.connect_state))
            target.port_state = int(params.get("port_state", target.port_state))
            target.port_type = str(params.get("port_type", target.port_type))
            return {"port": target.number}
        if action == "remove_sim":
            state.remove_sim(int(params["port"]), slot)
            return {"port": int(params["port"])}
        if action == "insert_sim":
            sim = state.insert_sim(int(params["port"]), slot)
            return {"iccid": sim.iccid}
        if action == "set_clock_offset":
            state.clock_offset = float(params["seconds"])
            return {"clock_offset": state.clock_offset}
        if action == "set_number_outcome":
            number, outcome = str(params["number"]), str(params["outcome"])
            state.failing_numbers.discard(number)
            state.undelivered_numbers.discard(number)
            if outcome == "fail":
                state.failing_numbers.add(number)
            elif outcome == "undelivered":
                state.undelivered_numbers.add(number)
            return {"number": number, "outcome": outcome}
        if action == "set_balance":
            target = state.ports[int(params["port"])]
            card = target.sims.get(slot or target.active_slot)
            if card is not None:
                card.balance = float(params.get("balance", 0))
            return {"balance": None if card is None else card.balance}
        if action == "complete_sends":
            state.advance(finish=True)
            return {"outbox": len(state.outbox)}
        if action == "set_ussd_reply":
            if params.get("code"):
                state.ussd_replies[str(params["code"])] = str(params["text"])
            else:
                state.default_ussd_reply = str(params["text"])
            return {"ok": True}
        if action == "reboot":
            state.reboot(float(params.get("seconds", 1.0)))
            return {"rebooting": True}
        if action == "clear_inbox":
            state.inbox.clear()
            return {"inbox": 0}
        return await super().control(action, params)

    def start_demo_activity(self) -> None:
        """An SMS every minute, a port that drops off the network and comes back now and then."""
        self.spawn(self._demo_loop(), name="synway-demo")

    async def _demo_loop(self, period: float = 60.0) -> None:
        messages = DemoMessages()
        while True:
            await asyncio.sleep(period)
            port = self.rng.choice(self.state.port_numbers())
            self.state.deliver(port, *messages.next())
            flapping = self.state.ports[self.rng.choice(self.state.port_numbers())]
            if flapping.sim is not None:
                flapping.connect_state = 2 if flapping.connect_state == 1 else 1
            _LOGGER.debug("synway demo: SMS on port %d", port)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
