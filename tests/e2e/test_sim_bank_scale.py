"""The largest box, 64 ports x 32 slots (2,048 SIMs), through Home Assistant: which entities, and its 2,048 rows.

The entity counts are the ones docs/scale.md states and justifies; the README's entity table lists the entities.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
import json

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_STATE_CHANGED, EVENT_STATE_REPORTED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.gsm_gateway.const import CONF_SLOT_ENTITIES
from simulator.ejoin import EjoinSimulator
from tests.conftest import SimulatorFactory

from .conftest import WEBHOOK_ID

PORTS, SLOTS = 64, 32
PER_PORT, ENABLED_PER_PORT = 25, 13  # a port's entities (README, "Entities"), and those enabled by default
GATEWAY, ENABLED_GATEWAY = 17, 9  # the gateway's own: summaries, daily counters, send queue, buttons, proxies
DEFAULT_ENTRIES = PORTS * PER_PORT + GATEWAY  # 1,617 (docs/scale.md)
SLOT_KEYS = frozenset({"slot_status", "slot_lock"})  # a slot's status sensor and lock switch


@pytest.fixture
async def sim(simulator_factory: SimulatorFactory) -> EjoinSimulator:
    """A 64-port SIM bank with 32 slots per port (about 80 % of them holding a SIM), in pool labels (`3.02.12`)."""
    simulator = await simulator_factory("ejoin", ports=PORTS, slots=SLOTS)
    assert isinstance(simulator, EjoinSimulator)
    simulator.variants.add("label_pool")
    return simulator


def entries_of(hass: HomeAssistant, entry: MockConfigEntry) -> list[er.RegistryEntry]:
    """The gateway's entity-registry entries."""
    return er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)


def slot_entries(hass: HomeAssistant, entry: MockConfigEntry) -> list[er.RegistryEntry]:
    """Its per-slot entries (a status sensor and a lock switch per slot)."""
    return [item for item in entries_of(hass, entry) if item.translation_key in SLOT_KEYS]


def sims_in(sim: EjoinSimulator) -> int:
    """Slots holding a SIM, as the simulated device has them."""
    return sum(1 for port in sim.ports for slot in port.slots if slot.sim is not None)


def slot_letters(number: int) -> str:
    """1 → a, 27 → aa: how an entity id names a slot."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("a") + remainder) + letters
    return letters


def slot_status(port: int, slot: int) -> str:
    """Entity id of a slot's status sensor."""
    return f"sensor.ejoin_gateway_port_{port}_sim_{slot_letters(slot)}_status"


async def choose_slot_entities(hass: HomeAssistant, entry: MockConfigEntry, choice: str) -> None:
    """The options dialog: "Entities for each SIM slot" set to `choice`; saving reloads the gateway."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {CONF_SLOT_ENTITIES: choice})
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def enable(hass: HomeAssistant, entry: MockConfigEntry, entity_id: str) -> None:
    """What the user does in the entity's settings: enable it (the gateway reloads to add it)."""
    er.async_get(hass).async_update_entity(entity_id, disabled_by=None)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()


async def poll(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """The next status poll."""
    freezer.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


@contextmanager
def state_writes(hass: HomeAssistant) -> Iterator[list[str]]:
    """Entity ids of every state written in the block, changed or not."""
    writes: list[str] = []

    @callback
    def record(event: Event) -> None:
        writes.append(event.data["entity_id"])

    unsubscribe = [
        hass.bus.async_listen(EVENT_STATE_CHANGED, record),
        hass.bus.async_listen(EVENT_STATE_REPORTED, record, event_filter=callback(lambda _data: True)),
    ]
    try:
        yield writes
    finally:
        for cancel in unsubscribe:
            cancel()


async def test_a_sim_bank_registers_its_ports_entities_and_none_per_slot(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    entries = entries_of(hass, init_integration)
    assert len(entries) == DEFAULT_ENTRIES
    assert slot_entries(hass, init_integration) == []
    enabled = [item.entity_id for item in entries if item.disabled_by is None]
    assert len(enabled) == PORTS * ENABLED_PER_PORT + ENABLED_GATEWAY
    assert all(hass.states.get(entity_id) is not None for entity_id in enabled)
    # Every one of the 2,048 rows was read: the slots holding a SIM are counted, and each port shows its active SIM.
    assert hass.states.get("sensor.ejoin_gateway_sims_present").state == str(sims_in(sim))
    assert hass.states.get("sensor.ejoin_gateway_ports_registered").state == str(PORTS)
    for port in (1, 37, 64):
        assert hass.states.get(f"sensor.ejoin_gateway_port_{port}_status").state == "registered"
        assert hass.states.get(f"select.ejoin_gateway_port_{port}_active_sim_slot").state == "A"


async def test_slot_entities_are_chosen_in_the_options(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator, freezer: FrozenDateTimeFactory
) -> None:
    entry = init_integration
    empty = next(
        (port.port, number) for port in sim.ports for number in range(2, SLOTS + 1) if port.slot(number).sim is None
    )

    # Every slot: a status sensor and a lock per slot, empty ones included, disabled until enabled.
    await choose_slot_entities(hass, entry, "all")
    slots = slot_entries(hass, entry)
    assert len(slots) == 2 * PORTS * SLOTS
    assert all(item.disabled_by is er.RegistryEntryDisabler.INTEGRATION for item in slots)
    assert len(entries_of(hass, entry)) == DEFAULT_ENTRIES + 2 * PORTS * SLOTS
    assert er.async_get(hass).async_get(slot_status(*empty)) is not None

    # Slots holding a SIM: the empty slots' entities go (nobody enabled them), and come when a SIM is inserted.
    await choose_slot_entities(hass, entry, "with_sim")
    assert len(slot_entries(hass, entry)) == 2 * sims_in(sim)
    assert er.async_get(hass).async_get(slot_status(*empty)) is None
    sim.set_sim_present(*empty, present=True)
    await poll(hass, freezer)
    assert len(slot_entries(hass, entry)) == 2 * sims_in(sim)
    assert er.async_get(hass).async_get(slot_status(*empty)) is not None

    # None (a SIM bank's default): back to the port entities alone.
    await choose_slot_entities(hass, entry, "none")
    assert slot_entries(hass, entry) == []
    assert len(entries_of(hass, entry)) == DEFAULT_ENTRIES


async def test_upgrading_keeps_the_slot_entities_a_user_enabled(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator
) -> None:
    """Before the option, a SIM bank registered every slot's entities; the default now registers none."""
    entry = init_integration
    hass.config_entries.async_update_entry(entry, options={**entry.options, CONF_SLOT_ENTITIES: "all"})
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    in_use = slot_status(3, 12)  # the user enabled one slot's status: its SIM waits in slot L of port 3
    await enable(hass, entry, in_use)
    assert hass.states.get(in_use).state == ("idle" if sim.ports[2].slot(12).sim is not None else "no_sim")

    # The upgrade: the option is not set, so its default applies.
    hass.config_entries.async_update_entry(
        entry, options={key: value for key, value in entry.options.items() if key != CONF_SLOT_ENTITIES}
    )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert [item.entity_id for item in slot_entries(hass, entry)] == [in_use]
    assert hass.states.get(in_use).state in {"idle", "no_sim"}  # still provided: not an orphan
    assert len(entries_of(hass, entry)) == DEFAULT_ENTRIES + 1


async def test_a_changed_row_writes_exactly_its_entities(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator, freezer: FrozenDateTimeFactory
) -> None:
    entry = init_integration
    watched = slot_status(37, 20)
    await choose_slot_entities(hass, entry, "all")
    await enable(hass, entry, watched)
    await poll(hass, freezer)

    with state_writes(hass) as writes:
        await poll(hass, freezer)
    assert writes == []  # 2,048 rows read again, nothing changed

    port = sim.ports[36]
    port.signal = 7 if port.signal != 7 else 9
    with state_writes(hass) as writes:
        await poll(hass, freezer)
    assert writes == ["sensor.ejoin_gateway_port_37_signal"]

    sims = sims_in(sim)
    present = port.slot(20).sim is not None
    sim.set_sim_present(37, 20, present=not present)  # one inactive slot of the 2,048 changes
    with state_writes(hass) as writes:
        await poll(hass, freezer)
    assert sorted(writes) == sorted([watched, "sensor.ejoin_gateway_sims_present"])
    assert hass.states.get(watched).state == ("no_sim" if present else "idle")
    assert hass.states.get("sensor.ejoin_gateway_sims_present").state == str(sims + (-1 if present else 1))


async def test_pushed_statuses_change_exactly_what_changed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    sim: EjoinSimulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    entry = init_integration
    port = sim.ports[4]
    number = next(number for number in range(2, SLOTS + 1) if port.slot(number).sim is not None)
    watched = slot_status(5, number)  # an inactive slot holding a SIM
    await choose_slot_entities(hass, entry, "all")
    await enable(hass, entry, watched)
    assert hass.states.get(watched).state == "idle"
    sims = hass.states.get("sensor.ejoin_gateway_sims_present").state
    client = await hass_client_no_auth()

    async def push(*, all_slots: bool) -> list[str]:
        with state_writes(hass) as writes:
            body = json.dumps(sim.dev_status(all_slots=all_slots))
            response = await client.post(f"/api/webhook/{WEBHOOK_ID}", data=body)
            assert response.status == 200
            await hass.async_block_till_done()
        return writes

    # What the device pushes every period: the active slot of each port. The other slots keep their state.
    assert await push(all_slots=False) == []
    assert hass.states.get(watched).state == "idle"
    assert hass.states.get("sensor.ejoin_gateway_sims_present").state == sims
    # Every slot, unchanged: nothing is written either.
    assert await push(all_slots=True) == []

    # One port's signal and one inactive slot changed, in a push of the 2,048 rows: exactly their entities.
    sim.ports[62].signal = 7 if sim.ports[62].signal != 7 else 9
    port.slot(number).locked = True
    assert sorted(await push(all_slots=True)) == sorted(["sensor.ejoin_gateway_port_63_signal", watched])
    assert hass.states.get(watched).state == "user_locked"
    # The active slots again: the locked slot stays locked, the signal stays.
    assert await push(all_slots=False) == []
    assert hass.states.get(watched).state == "user_locked"
