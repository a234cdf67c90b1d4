"""Writers of the Synway `content` strings, with the quirks real firmware shows (switched by variants).

Independent of the client's parser on purpose: this follows the spec's examples and the field notes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from .state import ReceivedSms, SendTask, SentSms, UssdExchange

SLOT_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def stamp(at: datetime) -> str:
    """`YYYYMMDDhhmmss` (queryrxsms, querysxsms, rxussd)."""
    return at.strftime("%Y%m%d%H%M%S")


def dashed_stamp(at: datetime) -> str:
    """`YYYY-MM-DD HH:MM:SS` (newqueryrxsms)."""
    return at.strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class Style:
    """How one answer is written."""

    wire: Callable[[int], int]  # 1-based port -> wire number
    single_sim: bool  # slots are written as (-1)
    extra_terminators: bool = False  # trailing "." / ";" wherever firmware puts them
    spaced: bool = False  # the spec's layout: a newline and a space between records, " NULL"
    sc_time_prefix: bool = False  # inbox texts start with "YYYYMMDDhhmmss|:"
    unknown_numbers: bool = False  # SIM numbers as (-1)

    @property
    def separator(self) -> str:
        """Between two records."""
        return "; \n" if self.spaced else ";"

    def head(self, total: int) -> str:
        """`total:N;` in front of records."""
        return f"total:{total};" + (" \n" if self.spaced else "")

    def ending(self) -> str:
        """After the last record or a count."""
        return ";" if self.extra_terminators else ""

    def slot(self, slot: int) -> str:
        """A slot letter, or -1 on single-SIM gateways."""
        return "-1" if self.single_sim else SLOT_LETTERS[(slot - 1) % 26]

    def sim_number(self, number: str | None) -> str:
        """A SIM number, or -1 when unknown."""
        return "-1" if self.unknown_numbers or not number else number


def counted_list(style: Style, key: str, values: Sequence[int], *, dot: bool) -> str:
    """`total:8;portstate:0,0,...` (getportinfo) / `total:8;ConnectState:1,1,0.` (getportconnectstate)."""
    body = f"total:{len(values)};{key}:{','.join(str(value) for value in values)}"
    return body + ("." if dot or style.extra_terminators else "")


def port_values(style: Style, values: Iterable[tuple[int, str | None]]) -> str:
    """`2:8986....3:8986....` (getwirelessinfo)."""
    return "".join(f"{style.wire(port)}:{value or '(-1)'}." for port, value in values)


def inbox(style: Style, records: Sequence[ReceivedSms], *, dashed: bool = False, with_total: bool = True) -> str:
    """`total:2;STAMP:PORT(SLOT)(SIMNUM):SENDER:TEXT|E;...` (queryrxsms; newqueryrxsms: dashed, no head)."""
    lines = []
    for sms in records:
        when = dashed_stamp(sms.at) if dashed else stamp(sms.at)
        text = f"{stamp(sms.at)}|:{sms.text}" if style.sc_time_prefix else sms.text
        lines.append(
            f"{when}:{style.wire(sms.port)}({style.slot(sms.slot)})({style.sim_number(sms.sim_number)})"
            f":{sms.sender}:{text}|E"
        )
    if not with_total:
        return "".join(f"{line};" for line in lines)
    if not lines:
        return f"total:0{style.ending()}"
    return style.head(len(lines)) + style.separator.join(lines) + style.ending()


def outbox(style: Style, records: Sequence[SentSms]) -> str:
    """`total:2;STAMP:PORT(SLOT)(SIMNUM):RECIPIENT:SOURCE:TEXT:|E;...` (querysxsms)."""
    lines = [
        f"{stamp(sms.at)}:{style.wire(sms.port)}({style.slot(sms.slot)})({style.sim_number(sms.sim_number)})"
        f":{sms.recipient}:{sms.source}:{sms.text}:|E"
        for sms in records
    ]
    if not lines:
        return f"total:0{style.ending()}"
    return style.head(len(lines)) + style.separator.join(lines) + style.ending()


def tx_tasks(style: Style, tasks: Sequence[SendTask], *, numbers: set[str], ports: set[int]) -> str:
    """`[taskid:0:2:3;1:10086:2;2:10087:3],[taskid:1:1;3:10088:2]` (querytxsms)."""
    blocks = []
    for task in tasks:
        entries = [
            entry
            for entry in task.entries
            if (not numbers or entry.number in numbers) and (not ports or entry.port in ports)
        ]
        parts = [f"taskid:{task.task_id}:{len(entries)}:{task.user_id}"]
        parts.extend(
            f"{style.wire(entry.port) if entry.port is not None else -1}:{entry.number}:{entry.status}"
            for entry in entries
        )
        blocks.append("[" + ";".join(parts) + "]")
    return (", \n" if style.spaced else ",").join(blocks)


def ussd_results(style: Style, results: Sequence[tuple[int, bool]]) -> str:
    """`1:0;2:1;3:1` (txussd)."""
    return ";".join(f"{style.wire(port)}:{int(sent)}" for port, sent in results) + style.ending()


def ussd_records(style: Style, records: Sequence[UssdExchange]) -> str:
    """`total:1;2|0|20160721132505|99|1| NULL|E` (rxussd)."""
    pad = " " if style.spaced else ""
    lines = [
        f"{style.wire(item.port)}|{item.order}|{stamp(item.at)}|{item.code}|{int(item.sent)}|"
        f"{pad}{item.reply if item.reply is not None else 'NULL'}|E"
        for item in records
    ]
    if not lines:
        return f"total:0{style.ending()}"
    return style.head(len(lines)) + style.separator.join(lines) + style.ending()


def total(style: Style, count: int) -> str:
    """`total:N` (deletesms, deleteussd)."""
    return f"total:{count}{style.ending()}"
