"""The blueprints in blueprints/automation/gsm_gateway, loaded by Home Assistant's blueprint integration.

Each test copies a blueprint into the test's config directory, creates an automation from it with
`use_blueprint`, and feeds it what a gateway would produce: a `gsm_gateway_sms_received` event or a balance
sensor's state. The assertions are on what the user gets: the notifications (and the SMS the simulator was asked
to send when the target is one of the integration's own recipients).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
import shutil
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service

from custom_components.gsm_gateway.const import CONF_RECIPIENT_NUMBER, EVENT_SMS_RECEIVED, SUBENTRY_RECIPIENT
from simulator.ejoin import EjoinSimulator
from simulator.synway import SynwaySimulator

BLUEPRINTS = Path(__file__).parents[2] / "blueprints" / "automation" / "gsm_gateway"


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """A private config directory: the blueprints are copied into it."""
    return hass_tmp_config_dir


async def automation_from(hass: HomeAssistant, blueprint: str, inputs: dict[str, Any]) -> None:
    """Install `blueprint` like a user importing it, and create one automation from it."""
    target = Path(hass.config.path("blueprints", "automation", "gsm_gateway"))
    await hass.async_add_executor_job(lambda: target.mkdir(parents=True, exist_ok=True))
    await hass.async_add_executor_job(shutil.copy, BLUEPRINTS / blueprint, target / blueprint)
    config = {"alias": "Under test", "use_blueprint": {"path": f"gsm_gateway/{blueprint}", "input": inputs}}
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()
    state = hass.states.get("automation.under_test")
    assert state is not None
    assert state.state == "on"


def sms(**overrides: Any) -> dict[str, Any]:
    """A `gsm_gateway_sms_received` payload as the integration fires it."""
    return {
        "config_entry_id": "entry-1",
        "device_id": "device-1",
        "port": "3A",
        "sender": "+4915112345678",
        "recipient": "+491700000001",
        "text": "Your code is 4711",
        "received_at": "2026-11-20T10:15:00+01:00",
        "message_id": "ejoin-1",
        "smsc": None,
    } | overrides


async def receive(hass: HomeAssistant, **overrides: Any) -> None:
    hass.bus.async_fire(EVENT_SMS_RECEIVED, sms(**overrides))
    await hass.async_block_till_done()


def texts(calls: list[ServiceCall]) -> list[tuple[str, str]]:
    return [(call.data["title"], call.data["message"]) for call in calls]


def test_blueprints_exist() -> None:
    assert sorted(path.name for path in BLUEPRINTS.glob("*.yaml")) == [
        "alarm_sms_failover.yaml",
        "forward_sms.yaml",
        "low_balance.yaml",
    ]


async def test_forward_sms_to_a_recipient_of_the_gateway(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: EjoinSimulator
) -> None:
    """The full loop a user sets up: messages to the gateway's SIMs reach their own phone, as an SMS."""
    hass.config_entries.async_add_subentry(
        config_entry,
        ConfigSubentry(
            data={CONF_RECIPIENT_NUMBER: "+491709999999"},
            subentry_type=SUBENTRY_RECIPIENT,
            title="My phone",
            unique_id="+491709999999",
        ),
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await automation_from(hass, "forward_sms.yaml", {"notify_entities": ["notify.my_phone"]})

    await receive(hass, config_entry_id=config_entry.entry_id)

    (request,) = sim.requests_to("/goip_post_sms.html")
    (task,) = request.json()["tasks"]
    assert task["to"] == "+491709999999"
    assert task["sms"] == "SMS from +4915112345678\nYour code is 4711\nPort 3A of ejoin gateway"


async def test_forward_sms_to_a_notify_action_with_filters(hass: HomeAssistant) -> None:
    calls = async_mock_service(hass, "notify", "mobile_app_phone")
    await automation_from(
        hass,
        "forward_sms.yaml",
        # The companion app's action, written without the `notify.` prefix, as users often do.
        {"notify_action": "mobile_app_phone", "gateway": "entry-1", "port": "3", "sender": "google"},
    )

    await receive(hass, sender="Google", port="3B", text="G-123456 is your code")
    await receive(hass, sender="Google", port="13A", text="another port whose number ends in 3")
    await receive(hass, sender="Google", port="31A", text="another port whose number starts with 3")
    await receive(hass, sender="Google", port="3A", config_entry_id="entry-2", text="another gateway")
    await receive(hass, sender="+4915112345678", port="3A", text="another sender")

    assert texts(calls) == [("SMS from Google", "G-123456 is your code\nPort 3B of the gateway")]


async def test_forward_sms_port_filter_with_slot(hass: HomeAssistant) -> None:
    calls = async_mock_service(hass, "notify", "mobile_app_phone")
    await automation_from(hass, "forward_sms.yaml", {"notify_action": "notify.mobile_app_phone", "port": "3a"})

    await receive(hass, port="3A", text="slot A")
    await receive(hass, port="3B", text="slot B")

    assert [message for _, message in texts(calls)] == ["slot A\nPort 3A of the gateway"]


async def test_forward_sms_everything_to_entities_and_action(hass: HomeAssistant) -> None:
    entity_calls = async_mock_service(hass, "notify", "send_message")
    action_calls = async_mock_service(hass, "notify", "mobile_app_phone")
    await automation_from(
        hass,
        "forward_sms.yaml",
        {"notify_entities": ["notify.alice", "notify.bob"], "notify_action": "mobile_app_phone"},
    )

    await receive(hass, sender="", text="Hello", incomplete=True, parts=3)
    await receive(hass, config_entry_id="entry-2", port="7", sender="Bank", text="Transfer done")

    expected = [
        ("SMS from unknown sender", "Hello (some parts of this message never arrived)\nPort 3A of the gateway"),
        ("SMS from Bank", "Transfer done\nPort 7 of the gateway"),
    ]
    assert texts(entity_calls) == expected
    assert [call.data["entity_id"] for call in entity_calls] == [["notify.alice", "notify.bob"]] * 2
    assert texts(action_calls) == expected


async def test_forward_sms_needs_no_target_to_load(hass: HomeAssistant) -> None:
    """With no target chosen yet the automation loads and does nothing (no failing action)."""
    calls = async_mock_service(hass, "notify", "send_message")
    await automation_from(hass, "forward_sms.yaml", {})
    await receive(hass)
    assert calls == []


async def test_low_balance_alerts_once_per_drop(hass: HomeAssistant) -> None:
    entity_calls = async_mock_service(hass, "notify", "send_message")
    action_calls = async_mock_service(hass, "notify", "mobile_app_phone")
    attributes = {"friendly_name": "Port 3 Balance", "unit_of_measurement": "EUR"}
    hass.states.async_set("sensor.port_3_balance", "12.50", attributes)
    hass.states.async_set("sensor.port_4_balance", "20", {"friendly_name": "Port 4 Balance"})
    await automation_from(
        hass,
        "low_balance.yaml",
        {
            "balance_sensors": ["sensor.port_3_balance", "sensor.port_4_balance"],
            "threshold": 5,
            "notify_entities": ["notify.alice"],
            "notify_action": "mobile_app_phone",
        },
    )

    async def balance(entity_id: str, value: str, attrs: dict[str, Any]) -> None:
        hass.states.async_set(entity_id, value, attrs)
        await hass.async_block_till_done()

    await balance("sensor.port_3_balance", "4.20", attributes)  # drops below: alert
    await balance("sensor.port_3_balance", "3.10", attributes)  # still low: no second alert
    await balance("sensor.port_3_balance", "25", attributes)  # topped up
    await balance("sensor.port_3_balance", "4.99", attributes)  # below again: alert
    await balance("sensor.port_4_balance", "5", {"friendly_name": "Port 4 Balance"})  # not below: nothing
    await balance("sensor.port_4_balance", "0", {"friendly_name": "Port 4 Balance"})  # no unit

    expected = [
        ("Low SIM balance", "Port 3 Balance is 4.20 EUR, below 5 EUR. Time to top up."),
        ("Low SIM balance", "Port 3 Balance is 4.99 EUR, below 5 EUR. Time to top up."),
        ("Low SIM balance", "Port 4 Balance is 0, below 5. Time to top up."),
    ]
    assert texts(entity_calls) == expected
    assert {tuple(call.data["entity_id"]) for call in entity_calls} == {("notify.alice",)}
    assert texts(action_calls) == expected


async def test_low_balance_watches_a_real_balance_sensor(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    """The blueprint accepts the integration's own Balance sensor (the selector filters on the integration)."""
    calls = async_mock_service(hass, "notify", "mobile_app_phone")
    balance = "sensor.ejoin_gateway_port_1_balance"
    assert hass.states.get(balance) is not None
    await automation_from(
        hass,
        "low_balance.yaml",
        {"balance_sensors": [balance], "threshold": 5, "notify_action": "mobile_app_phone"},
    )
    state = hass.states.get(balance)
    assert state is not None
    for value in ("50", "0.5"):  # a top-up, then the SIM runs dry
        hass.states.async_set(balance, value, state.attributes)
        await hass.async_block_till_done()
    assert len(calls) == 1
    assert calls[0].data["message"] == "Port 1 Balance is 0.5, below 5. Time to top up."


@pytest.mark.parametrize("vendor", ["synway"])
async def test_alarm_sms_goes_out_through_the_next_sim(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: SynwaySimulator
) -> None:
    """The leak sensor turns on while port 1's SIM has no credit: the alarm goes out once, from port 2, quietly."""
    calls = async_mock_service(hass, "notify", "mobile_app_phone")
    with patch("custom_components.gsm_gateway.receiver.REPORT_POLL_INTERVAL", timedelta(seconds=0.2)):
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
    await sim.control("set_balance", {"port": 1, "balance": 0})
    hass.states.async_set("binary_sensor.basement_leak", "off", {"friendly_name": "Basement leak"})
    await automation_from(
        hass,
        "alarm_sms_failover.yaml",
        {
            "trigger_entities": ["binary_sensor.basement_leak"],
            "recipients": ["+491701111111", "+491702222222"],
            "notify_action": "mobile_app_phone",
        },
    )

    hass.states.async_set("binary_sensor.basement_leak", "on", {"friendly_name": "Basement leak"})
    await hass.async_block_till_done()

    outbox = sorted((sms.recipient, sms.port, sms.text.split(" at ")[0]) for sms in sim.state.outbox)
    assert outbox == [("+491701111111", 2, "ALARM: Basement leak"), ("+491702222222", 2, "ALARM: Basement leak")]
    assert calls == []


async def test_alarm_sms_that_no_sim_can_send_is_reported(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    """Every SIM refuses (Home Assistant does not know yet): the alarm fails, and the user is told."""
    calls = async_mock_service(hass, "notify", "send_message")
    for port in sim.ports:
        port.slot(port.active).status = 6  # registration failed, on the device only
    hass.states.async_set("alarm_control_panel.home", "armed_away", {"friendly_name": "Home"})
    await automation_from(
        hass,
        "alarm_sms_failover.yaml",
        {
            "trigger_entities": ["alarm_control_panel.home"],
            "trigger_state": "triggered",
            "recipients": ["+491701111111"],
            "message": "Burglar alarm",
            "gateway": init_integration.entry_id,
            "deadline": 30,
            "notify_entities": ["notify.alice"],
        },
    )

    hass.states.async_set("alarm_control_panel.home", "triggered", {"friendly_name": "Home"})
    await hass.async_block_till_done()

    tasks = [task for request in sim.requests_to("/goip_post_sms.html") for task in request.json()["tasks"]]
    assert [(task["from"], task["sms"]) for task in tasks] == [
        ("1", "Burglar alarm"),
        ("2", "Burglar alarm"),
        ("3", "Burglar alarm"),
    ]
    assert texts(calls) == [
        (
            "Alarm SMS failed",
            "The alarm SMS (Home) could not be sent to every recipient by any gateway; the automation's trace says why.",
        )
    ]
    assert calls[0].data["entity_id"] == ["notify.alice"]


async def test_alarm_sms_accepted_but_not_confirmed_is_reported(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    """Home Assistant does not manage this Skyline/EJOIN gateway's push target, so no send result can come."""
    calls = async_mock_service(hass, "notify", "mobile_app_phone")
    hass.states.async_set("binary_sensor.smoke", "off", {"friendly_name": "Smoke"})
    await automation_from(
        hass,
        "alarm_sms_failover.yaml",
        {
            "trigger_entities": ["binary_sensor.smoke"],
            "recipients": ["+491701111111"],
            "notify_action": "notify.mobile_app_phone",
        },
    )

    hass.states.async_set("binary_sensor.smoke", "on", {"friendly_name": "Smoke"})
    await hass.async_block_till_done()

    assert len(sim.requests_to("/goip_post_sms.html")) == 1
    assert texts(calls) == [
        (
            "Alarm SMS not confirmed",
            "The alarm SMS (Smoke) reached the gateways, but 1 of 1 recipients were not confirmed as sent.",
        )
    ]
