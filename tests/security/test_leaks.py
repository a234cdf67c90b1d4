"""No leaks: across every fault the simulator can produce, nothing a user would call private shows up.

Searched: every log line of the integration (debug included), every line of any other logger at info and above,
the text of every exception an action raised or a poll recorded (with its causes), the config entry's error
reason, repair issues, flows in progress, and the diagnostics. Searched for: the password, the full IMEI, IMSI and
ICCID of every SIM, and every phone number of the test (SIM numbers, a sender, a recipient), with and without `+`.

Decision: other loggers' debug lines are out of scope. Home Assistant's own bus logs every event with its data at
debug level, and an incoming SMS event carries its sender by design.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
from dataclasses import replace
import json
import logging
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.gsm_gateway import connection
from custom_components.gsm_gateway.client import Gateway, GatewayError, GatewayStatus, create_gateway
from custom_components.gsm_gateway.const import CONF_VENDOR, DOMAIN, LOGGER
from simulator import GatewaySimulator
from simulator.base import ONE_SHOT_FAULTS
from tests.e2e.conftest import update_entity

from .conftest import Planted

SENDER = "+4915177330999"
RECIPIENT = "+4917077330555"
FAULTS = sorted(ONE_SHOT_FAULTS)


class Evidence:
    """Everything a user, a log file or a bug report could show."""

    def __init__(self) -> None:
        """Nothing collected yet."""
        self.texts: list[str] = []

    def error(self, err: BaseException) -> None:
        """An exception, with its translation placeholders and its whole chain of causes."""
        current: BaseException | None = err
        while current is not None:
            self.texts += [str(current), repr(current)]
            if isinstance(current, HomeAssistantError):
                self.texts.append(json.dumps(current.translation_placeholders or {}))
            current = current.__cause__ or current.__context__

    def logs(self, caplog: pytest.LogCaptureFixture) -> None:
        """Our logger at every level; others from info up. Tracebacks included."""
        formatter = logging.Formatter()
        for record in caplog.records:
            ours = record.name.startswith(LOGGER.name)
            if ours or record.levelno >= logging.INFO:
                self.texts.append(formatter.format(record))

    def leaks(self, planted: Planted) -> list[str]:
        """`kind: where it was seen` for every planted value found."""
        found = []
        for needle, kind in planted.needles().items():
            for text in self.texts:
                if needle in text:
                    at = text.index(needle)
                    found.append(f"{kind} {needle!r} in: {text[max(0, at - 80) : at + 40]!r}")
                    break
        return found


@contextlib.contextmanager
def quick_timeouts(sim: GatewaySimulator) -> Iterator[None]:
    """A "timeout" fault costs 0.3 s (the client gives up) instead of 10 s."""
    sim.faults.hang_seconds = 1.0
    original = connection.connection_settings
    with patch.object(connection, "connection_settings", lambda data: replace(original(data), timeout=0.3)):
        yield


async def ensure_loaded(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Back to a loaded entry (a faulted reload leaves it retrying)."""
    if entry.state is not ConfigEntryState.LOADED:
        await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED


@contextlib.contextmanager
def status_errors(evidence: Evidence) -> Iterator[None]:
    """Collect every error a status read of the client raises, with its causes, as the poll that failed keeps it.

    The poll's own message (which carries the client's as its `error` placeholder) is in the log.
    """

    def recording(*args: Any, **kwargs: Any) -> Gateway:
        gateway = create_gateway(*args, **kwargs)
        read = gateway.get_status

        async def get_status() -> GatewayStatus:
            try:
                return await read()
            except GatewayError as err:
                evidence.error(err)
                raise

        gateway.get_status = get_status  # type: ignore[method-assign]
        return gateway

    with patch.object(connection, "create_gateway", recording):
        yield


# An entity of each coordinator: updating it reads what that coordinator reads.
STATUS_ENTITY = "sensor.{vendor}_gateway_ports_registered"
STATISTICS_ENTITY = "sensor.{vendor}_gateway_sms_sent_today"


async def exercise(hass: HomeAssistant, entry: MockConfigEntry, evidence: Evidence) -> None:
    """Poll, send, reload: every path that talks to the gateway, so the injected faults hit each of them."""
    vendor = entry.data[CONF_VENDOR]
    await update_entity(hass, STATUS_ENTITY.format(vendor=vendor))
    if hass.states.get(statistics := STATISTICS_ENTITY.format(vendor=vendor)) is not None:
        await update_entity(hass, statistics)
    try:
        await hass.services.async_call(
            DOMAIN,
            "send_sms",
            {"config_entry_id": entry.entry_id, "recipients": [RECIPIENT], "message": f"to {RECIPIENT}"},
            blocking=True,
            return_response=True,
        )
    except HomeAssistantError as err:
        evidence.error(err)
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    evidence.texts += [str(entry.reason), json.dumps(entry.error_reason_translation_placeholders or {})]


@pytest.mark.parametrize("vendor", ["ejoin", "dinstar", "synway"])
async def test_nothing_private_leaks_under_any_fault(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: GatewaySimulator,
    caplog: pytest.LogCaptureFixture,
    hass_client: ClientSessionGenerator,
) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger=LOGGER.name)
    planted: Planted = sim.planted  # type: ignore[attr-defined]
    planted.numbers += [SENDER, RECIPIENT]
    evidence = Evidence()
    with quick_timeouts(sim), status_errors(evidence):
        await hass.config_entries.async_reload(init_integration.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        await sim.control("deliver_sms", {"port": 1, "sender": SENDER, "text": f"code 123456 from {SENDER}"})
        for fault in FAULTS:
            await ensure_loaded(hass, init_integration)
            sim.inject(*[fault] * 6)  # enough for every request of a poll, a send and a reload's set-up
            await exercise(hass, init_integration, evidence)
            sim.clear_faults()
            sim.faults.hang_seconds = 1.0
        await ensure_loaded(hass, init_integration)
        sim.faults.wrong_credentials = True  # every request refused: reauthentication starts
        await exercise(hass, init_integration, evidence)
        sim.faults.wrong_credentials = False
        await ensure_loaded(hass, init_integration)

    faulted = {request.fault for request in sim.requests if request.fault}
    assert faulted == set(FAULTS)  # every kind of fault reached the integration

    evidence.logs(caplog)
    evidence.texts += [json.dumps(issue.translation_placeholders or {}) for issue in ir.async_get(hass).issues.values()]
    evidence.texts += [repr(flow) for flow in hass.config_entries.flow.async_progress()]
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    evidence.texts.append(json.dumps(diagnostics))
    # The search would find nothing if nothing had been collected: the faults did produce errors and logs.
    assert any("gateway" in text.lower() or "http" in text.lower() for text in evidence.texts)
    assert evidence.leaks(planted) == []


@pytest.mark.parametrize("vendor", ["ejoin", "dinstar"])
async def test_refused_pushes_are_logged_without_their_content(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: GatewaySimulator,
    caplog: pytest.LogCaptureFixture,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A push the integration cannot use is logged by reason only, even when it is full of private data."""
    caplog.set_level(logging.DEBUG, logger=LOGGER.name)
    planted: Planted = sim.planted  # type: ignore[attr-defined]
    private = {
        "password": planted.password,
        "imei": planted.imeis[0],
        "imsi": planted.imsis[0],
        "iccid": planted.iccids[0],
        "number": planted.numbers[0],
    }
    bodies: list[Any] = [
        {"type": "recv-sms", "sms": [[0, "1A", "x", planted.numbers[0], planted.password, planted.iccids[0]]]},
        {"type": "recv-sms", "sms": private},
        {"sn": planted.imeis[0], "sms": [{"port": "x", "number": planted.numbers[0], "text": planted.password}]},
        {"type": f"{planted.password}-{planted.imsis[0]}"},
        [private],
    ]
    client = await hass_client_no_auth()
    for body in bodies:
        response = await client.post(
            f"/api/webhook/{init_integration.data['webhook_id']}", data=json.dumps(body).encode()
        )
        assert response.status == 400
        assert planted.password not in await response.text()
    evidence = Evidence()
    evidence.logs(caplog)
    assert any("Ignored a push" in text for text in evidence.texts)
    assert evidence.leaks(planted) == []


def test_the_search_finds_what_it_looks_for() -> None:
    """The check itself: a planted value inside longer text, a number without its `+`, a value in a cause."""
    planted = Planted(imeis=["356177330000015"], numbers=["+4915577330001"])
    evidence = Evidence()
    evidence.texts.append("sent to 4915577330001 via port 1A")
    try:
        try:
            raise ValueError("module 356177330000015 refused")  # noqa: TRY301
        except ValueError as cause:
            raise HomeAssistantError("failed") from cause
    except HomeAssistantError as err:
        evidence.error(err)
    assert [leak.split(" ")[0] for leak in evidence.leaks(planted)] == ["IMEI", "phone"]
