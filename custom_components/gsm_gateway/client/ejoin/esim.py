"""eSIM (v2.4): `EjoinEsim`, the `EsimFeature` of an EJOIN gateway, and the parsing of `goip_get_esims.html`.

A write or delete is only *submitted* (status 1); the device works on it and the query shows its progress in
the profile of that port and slot: `op` (1 writing, 2 deleting), `status` (0 nothing pending, 1 submitted,
2 in progress, 3 error with `reason`) and `exust` (a profile is stored in the slot). The shared models live in
`client/esim.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..esim import EsimFeature, EsimInfo, EsimJobProgress, EsimJobState, EsimOperation, EsimProfile
from ..exceptions import GatewayCommandError, GatewayRequestError, GatewayResponseError
from ..redaction import safe_reason
from .commands import port_numbers
from .connection import API_VERSION, EjoinConnection
from .parse import as_flag, as_int, as_text, mapping, sequence

SUBMITTED = 1
_SUBMIT_REFUSALS: Mapping[int, str] = {2: "port busy", 3: "error"}
_PENDING_STATUSES = frozenset({1, 2})
_ERROR_STATUS = 3


def _ports(body: Mapping[str, Any]) -> Sequence[Any]:
    for key in ("ports", "esims", "data"):
        if key in body:
            return sequence(body[key], f"goip_get_esims {key}")
    return ()


def _profile(entry: Mapping[str, Any]) -> tuple[EsimProfile, Mapping[str, Any]] | None:
    slot = as_int(entry.get("slot"))
    if slot is None:
        return None
    status = as_int(entry.get("status"))
    return (
        EsimProfile(
            slot=slot,
            enabled=bool(as_flag(entry.get("enabled"))),
            iccid=as_text(entry.get("iccid")),
            provider=as_text(entry.get("provider")),
            status=None if status is None else str(status),
        ),
        entry,
    )


def parse_esims(body: Mapping[str, Any]) -> list[EsimInfo]:
    """Every port's eSIM (`eid`, `esim_state`, `profiles`)."""
    infos: list[EsimInfo] = []
    for item in _ports(body):
        entry = mapping(item, "eSIM port")
        port = as_int(entry.get("port"))
        if port is None:
            raise GatewayResponseError("eSIM port entry has no port number")
        profiles = [
            parsed[0]
            for parsed in (_profile(mapping(p, "eSIM profile")) for p in sequence(entry.get("profiles"), "profiles"))
            if parsed is not None
        ]
        infos.append(
            EsimInfo(
                port=port,
                eid=as_text(entry.get("eid")),
                state=as_text(entry.get("esim_state")),
                profiles=tuple(profiles),
            )
        )
    return infos


def job_progress(body: Mapping[str, Any], port: int, slot: int, operation: EsimOperation) -> EsimJobProgress:
    """Progress of the job on `port`/`slot` read from a `goip_get_esims.html` answer."""
    profile: Mapping[str, Any] | None = None
    for item in _ports(body):
        entry = mapping(item, "eSIM port")
        if as_int(entry.get("port")) != port:
            continue
        for raw in sequence(entry.get("profiles"), "profiles"):
            candidate = mapping(raw, "eSIM profile")
            if as_int(candidate.get("slot")) == slot:
                profile = candidate
    if profile is None:  # a deleted profile may vanish from the list altogether
        state = EsimJobState.SUCCEEDED if operation is EsimOperation.DELETE else EsimJobState.PENDING
        return EsimJobProgress(port=port, slot=slot, operation=operation, state=state)
    status = as_int(profile.get("status")) or 0
    reason = safe_reason(text) if (text := as_text(profile.get("reason"))) else ""
    if status == _ERROR_STATUS:
        state = EsimJobState.FAILED
    elif status in _PENDING_STATUSES:
        state = EsimJobState.PENDING
    else:
        stored = bool(as_flag(profile.get("exust", profile.get("exist"))))
        wanted = operation is EsimOperation.WRITE
        state = EsimJobState.SUCCEEDED if stored == wanted else EsimJobState.FAILED
        if state is EsimJobState.FAILED and not reason:
            reason = "the device finished without storing the profile" if wanted else "the profile is still stored"
    return EsimJobProgress(port=port, slot=slot, operation=operation, state=state, reason=reason)


def check_submission(body: Mapping[str, Any], endpoint: str) -> None:
    """Raise unless every job of a write/delete answer was submitted (status 1)."""
    entries: list[Mapping[str, Any]] = []
    for key in ("results", "status", "data", "ports"):
        value = body.get(key)
        if isinstance(value, list):
            entries = [mapping(item, f"{endpoint} result") for item in value]
            break
    if not entries and "status" in body:
        entries = [body]
    for entry in entries:
        status = as_int(entry.get("status"))
        if status is not None and status != SUBMITTED:
            text = as_text(entry.get("reason"))
            reason = safe_reason(text) if text else _SUBMIT_REFUSALS.get(status, "refused")
            raise GatewayCommandError(status, reason, endpoint=endpoint)


class EjoinEsim(EsimFeature):
    """The eSIMs of a Skyline v2.4 gateway, over the gateway's connection."""

    def __init__(self, connection: EjoinConnection) -> None:
        """Share the gateway's connection (credentials or encrypted session)."""
        self._connection = connection

    async def _answer(self, ports: Sequence[int] | None) -> dict[str, Any]:
        params = {"version": API_VERSION, "ports": port_numbers(ports) if ports else "all"}
        return await self._connection.call("GET", "/goip_get_esims.html", params=params)

    async def list_profiles(self, ports: Sequence[int] | None = None) -> list[EsimInfo]:
        """`goip_get_esims.html?ports=` (None: `all`)."""
        return parse_esims(await self._answer(ports))

    async def write(self, port: int, slot: int, activation_code: str, confirmation_code: str = "") -> None:
        """`goip_write_esims.html` with the activation code (`ac`) and optional confirmation code (`cc`)."""
        if not activation_code.strip():
            raise GatewayRequestError("an activation code is needed")
        item = {"port": port, "slot": slot, "ac": activation_code.strip(), "cc": confirmation_code.strip()}
        answer = await self._connection.call(
            "POST", "/goip_write_esims.html", params={"version": API_VERSION}, json_body=[item]
        )
        check_submission(answer, "goip_write_esims.html")

    async def delete(self, port: int, slot: int) -> None:
        """`goip_delete_esims.html`."""
        item = {"port": port, "slot": slot}
        answer = await self._connection.call(
            "POST", "/goip_delete_esims.html", params={"version": API_VERSION}, json_body=[item]
        )
        check_submission(answer, "goip_delete_esims.html")

    async def job_progress(self, port: int, slot: int, operation: EsimOperation) -> EsimJobProgress:
        """The port's `goip_get_esims.html` answer, read for the job on `slot` (see `job_progress`)."""
        return job_progress(await self._answer([port]), port, slot, operation)
