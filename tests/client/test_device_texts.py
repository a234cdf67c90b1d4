"""Device texts that echo identifiers never reach error messages: the same scrubbing on every dialect.

Each simulator refuses the next request the way its device does, with a reason (and, where the dialect has one, a
code) that carries a phone number, an IMEI, an ICCID, an IMSI and the password. Whatever the client raises or
returns for that refusal names none of them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from custom_components.gsm_gateway.client import (
    ConnectionSettings,
    GatewayCommandError,
    GatewayError,
    SendResult,
    SlotRef,
    SmsRequest,
    Vendor,
    create_gateway,
)
from custom_components.gsm_gateway.client.ejoin.parse import parse_task_results
from custom_components.gsm_gateway.client.redaction import safe_code, safe_reason, scrub_identifiers
from simulator import GatewaySimulator
from tests.conftest import SimulatorFactory

PASSWORD = "Pw-Planted-5150!"
NUMBER = "+4917077330555"
IMEI = "861234567890121"
ICCID = "89490200001234567890"
IMSI = "262011234567890"
PLANTED = (NUMBER, NUMBER.removeprefix("+"), IMEI, ICCID, IMSI, PASSWORD)
REASON = f"number {NUMBER} refused on IMEI {IMEI} (ICCID {ICCID}, IMSI {IMSI}), password={PASSWORD}"


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


def settings_for(sim: GatewaySimulator) -> ConnectionSettings:
    host, _, port = sim.url.removeprefix("http://").rpartition(":")
    return ConnectionSettings(host=host, port=int(port), username=sim.username, password=PASSWORD, timeout=5)


def shown(*items: object) -> str:
    """Everything a log line or the UI could show of these."""
    texts: list[str] = []
    for item in items:
        texts += [str(item), repr(item)]
        if isinstance(item, GatewayCommandError):
            texts += [str(item.code), item.reason]
        if isinstance(item, SendResult):
            texts += [f"{result.code} {result.reason}" for result in item.recipients]
    return "\n".join(texts)


@pytest.mark.parametrize(
    ("vendor", "code"),
    [
        (Vendor.EJOIN, None),
        (Vendor.EJOIN, int(IMEI)),  # firmware that puts a number where the code belongs
        (Vendor.DINSTAR, None),
        (Vendor.DINSTAR, int(NUMBER)),
        (Vendor.SYNWAY, None),
    ],
)
async def test_a_refusal_that_echoes_identifiers_is_scrubbed(
    simulator_factory: SimulatorFactory, session: aiohttp.ClientSession, vendor: Vendor, code: int | None
) -> None:
    sim = await simulator_factory(vendor.value, ports=2, slots=1, password=PASSWORD)
    gateway = create_gateway(vendor, session, settings_for(sim))
    await gateway.connect()
    outcomes: list[object] = []
    for attempt in (
        lambda: gateway.send_sms(SmsRequest(recipients=(NUMBER,), text="hello", ports=(SlotRef(1),))),
        lambda: gateway.send_ussd(SlotRef(1), "*100#"),
    ):
        sim.refuse_next(REASON, code=code)
        try:
            outcomes.append(await attempt())
        except GatewayError as err:
            outcomes.append(err)
    assert any(isinstance(outcome, GatewayCommandError) for outcome in outcomes) or any(
        isinstance(outcome, SendResult) and not outcome.all_accepted for outcome in outcomes
    ), outcomes  # the refusal really came back
    text = shown(*outcomes)
    assert "refused" in text or "500" in text  # Dinstar's answers carry a code only: the client names it
    for secret in PLANTED:
        assert secret not in text, (secret, text)


def test_ejoin_task_status_texts_are_scrubbed() -> None:
    (result,) = parse_task_results([{"tid": 7, "status": f"6 Timeout sending to {NUMBER}"}], "status")
    assert (result.code, result.text) == (6, "6 Timeout sending to ***".removeprefix("6 "))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SIM Unregistered", "SIM Unregistered"),
        (f"to {NUMBER} failed", "to *** failed"),
        (f"imei {IMEI}", "imei ***"),
        ("code 1234 is short", "code 1234 is short"),  # 4 digits: a code or a PIN-length number, kept
        ("\uff15" * 6 + " full-width", "*** full-width"),  # other digits (full-width here) are digits too
    ],
)
def test_scrub_identifiers(text: str, expected: str) -> None:
    assert scrub_identifiers(text) == expected


def test_safe_reason_and_code() -> None:
    assert safe_reason(f"  user {PASSWORD}\n refused  password={PASSWORD}&x=1 ", PASSWORD) == (
        "user *** refused password=***&x=1"
    )
    assert safe_reason("x" * 500) == "x" * 120
    assert safe_reason("   ") == "no reason given"
    assert safe_reason(None) == "NoneType"
    assert safe_code(404) == 404
    assert safe_code(None) is None
    assert safe_code("15 Invalid CMD") == "15 Invalid CMD"
    assert safe_code(int(IMEI)) == "***"
    assert safe_code(f"x{NUMBER}") == "x***"


def test_command_error_scrubs_whatever_a_dialect_passes() -> None:
    err = GatewayCommandError(int(ICCID), f"{NUMBER} " + "y" * 300, endpoint="goip_post_sms.html")
    assert (err.code, err.reason[:4]) == ("***", "*** ")
    assert len(err.reason) == 120
    assert ICCID not in str(err)
    assert NUMBER not in str(err)
