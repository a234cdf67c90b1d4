"""Sensors: SIM status, signal, operator, balance and identifiers per port; statistics; gateway summary and queue."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.sensor import (
    DOMAIN as SENSOR_DOMAIN,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    MAX_LENGTH_STATE_STATE,
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .client import (
    REGISTERED_STATES,
    CallStatistics,
    Capability,
    Gateway,
    PortStatus,
    SimState,
    SlotRef,
    SlotStatus,
    SmsStatistics,
)
from .const import DOMAIN
from .coordinator import GatewayStatistics, GatewayStatisticsCoordinator, GsmGatewayConfigEntry, SendQueueCoordinator
from .entity import GsmGatewayEntity, PortEntity, add_port_entities, add_slot_entities, has_capability

PARALLEL_UPDATES = 0

STATUS_OPTIONS = [state.value for state in SimState]


@dataclass(frozen=True, kw_only=True)
class PortSensorDescription(SensorEntityDescription):
    """A value of a port (mostly of its active SIM slot)."""

    value_fn: Callable[[PortStatus], StateType]
    attributes_fn: Callable[[PortStatus], Mapping[str, Any] | None] = lambda _port: None
    exists_fn: Callable[[PortStatus], bool] = lambda _port: True


def _active[T](read: Callable[[SlotStatus], T]) -> Callable[[PortStatus], T | None]:
    """Read a value of the port's active slot (None while no slot is active)."""

    def value(port: PortStatus) -> T | None:
        slot = port.active
        return None if slot is None else read(slot)

    return value


def _reported(read: Callable[[SlotStatus], object]) -> Callable[[PortStatus], bool]:
    """Whether any slot of the port reports the value (a gateway that never reports it gets no sensor)."""
    return lambda port: any(read(slot) is not None for slot in port.slots.values())


def _status_attributes(slot: SlotStatus | None) -> Mapping[str, Any] | None:
    if slot is None:
        return None
    return {"status_code": slot.status_code, "device_status": slot.status_text}


PORT_STATUS = PortSensorDescription(
    key="status",
    translation_key="status",
    device_class=SensorDeviceClass.ENUM,
    options=STATUS_OPTIONS,
    # The port's own state: with no active slot (its SIM was just locked) it reads user-locked, idle or no SIM.
    value_fn=lambda port: port.state.value,
    attributes_fn=lambda port: _status_attributes(port.active),
)


def _identifier(key: str, read: Callable[[SlotStatus], str | None]) -> PortSensorDescription:
    """A SIM identifier: diagnostic, and off by default (it identifies a SIM and its owner)."""
    return PortSensorDescription(
        key=key,
        translation_key=key,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_active(read),
        exists_fn=_reported(read),
    )


PORT_SENSORS: tuple[PortSensorDescription, ...] = (
    PORT_STATUS,
    PortSensorDescription(
        key="signal",
        translation_key="signal",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_active(lambda slot: slot.signal_dbm),
        exists_fn=_reported(lambda slot: slot.signal_dbm),
    ),
    PortSensorDescription(
        key="operator",
        translation_key="operator",
        value_fn=_active(lambda slot: slot.operator),
        exists_fn=_reported(lambda slot: slot.operator),
    ),
    PortSensorDescription(
        key="balance",
        translation_key="balance",
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=_active(lambda slot: slot.balance),
        exists_fn=_reported(lambda slot: slot.balance),
    ),
    PortSensorDescription(
        # What a port is (GSM, WCDMA, LTE...): Home Assistant gives a port's child device no model to say it.
        key="module_type",
        translation_key="module_type",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_active(lambda slot: slot.network_type),
        exists_fn=_reported(lambda slot: slot.network_type),
    ),
    _identifier("sim_number", lambda slot: slot.sim_number),
    _identifier("iccid", lambda slot: slot.iccid),
    _identifier("imsi", lambda slot: slot.imsi),
    _identifier("imei", lambda slot: slot.imei),
)


@dataclass(frozen=True, kw_only=True)
class SlotSensorDescription(SensorEntityDescription):
    """A value of one SIM slot of a port, active or not."""

    value_fn: Callable[[SlotStatus], StateType]
    attributes_fn: Callable[[SlotStatus], Mapping[str, Any] | None] = lambda _slot: None


SLOT_STATUS = SlotSensorDescription(
    key="status",
    translation_key="slot_status",
    device_class=SensorDeviceClass.ENUM,
    options=STATUS_OPTIONS,
    entity_registry_enabled_default=False,
    value_fn=lambda slot: slot.state.value,
    attributes_fn=_status_attributes,
)


@dataclass(frozen=True, kw_only=True)
class StatisticsSensorDescription(SensorEntityDescription):
    """A counter of the active SIM slot of a port (by its canonical label, `1A`)."""

    value_fn: Callable[[GatewayStatistics, str], StateType]
    exists_fn: Callable[[Gateway], bool]


def _sms(read: Callable[[SmsStatistics], StateType]) -> Callable[[GatewayStatistics, str], StateType]:
    def value(data: GatewayStatistics, label: str) -> StateType:
        stats = data.sms_total.get(label)
        return None if stats is None else read(stats)

    return value


def _calls(read: Callable[[CallStatistics], StateType]) -> Callable[[GatewayStatistics, str], StateType]:
    def value(data: GatewayStatistics, label: str) -> StateType:
        stats = data.calls_total.get(label)
        return None if stats is None else read(stats)

    return value


STATISTICS_SENSORS: tuple[StatisticsSensorDescription, ...] = (
    StatisticsSensorDescription(
        key="sms_sent",
        translation_key="sms_sent",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=_sms(lambda stats: stats.sent),
        exists_fn=has_capability(Capability.SMS_STATISTICS),
    ),
    StatisticsSensorDescription(
        key="sms_sent_ok",
        translation_key="sms_sent_ok",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_registry_enabled_default=False,
        value_fn=_sms(lambda stats: stats.sent_ok),
        exists_fn=has_capability(Capability.SMS_STATISTICS),
    ),
    StatisticsSensorDescription(
        key="sms_failed",
        translation_key="sms_failed",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=_sms(lambda stats: stats.sent_failed),
        exists_fn=has_capability(Capability.SMS_STATISTICS),
    ),
    StatisticsSensorDescription(
        key="sms_received",
        translation_key="sms_received",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=_sms(lambda stats: stats.received),
        exists_fn=has_capability(Capability.SMS_STATISTICS),
    ),
    StatisticsSensorDescription(
        key="sms_unsent",
        translation_key="sms_unsent",
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=False,
        value_fn=_sms(lambda stats: stats.unsent),
        exists_fn=has_capability(Capability.SMS_STATISTICS),
    ),
    StatisticsSensorDescription(
        key="calls",
        translation_key="calls",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_registry_enabled_default=False,
        value_fn=_calls(lambda stats: stats.calls),
        exists_fn=has_capability(Capability.CALL_STATISTICS),
    ),
    StatisticsSensorDescription(
        key="call_asr",
        translation_key="call_asr",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=False,
        value_fn=_calls(lambda stats: stats.asr),
        exists_fn=has_capability(Capability.CALL_STATISTICS),
    ),
    StatisticsSensorDescription(
        key="call_acd",
        translation_key="call_acd",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=False,
        value_fn=_calls(lambda stats: stats.acd),
        exists_fn=has_capability(Capability.CALL_STATISTICS),
    ),
    StatisticsSensorDescription(
        key="call_pdd",
        translation_key="call_pdd",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=False,
        value_fn=_calls(lambda stats: stats.pdd),
        exists_fn=has_capability(Capability.CALL_STATISTICS),
    ),
)


@dataclass(frozen=True, kw_only=True)
class GatewaySensorDescription(SensorEntityDescription):
    """A summary of the whole gateway: the sum of a count per port."""

    count_fn: Callable[[PortStatus], int]
    exists_fn: Callable[[Gateway], bool] = lambda _gateway: True


_NO_SIM = frozenset({SimState.NO_SIM, SimState.UNKNOWN})

GATEWAY_SENSORS: tuple[GatewaySensorDescription, ...] = (
    GatewaySensorDescription(
        key="ports_registered",
        translation_key="ports_registered",
        state_class=SensorStateClass.MEASUREMENT,
        count_fn=lambda port: int(port.state in REGISTERED_STATES),
    ),
    GatewaySensorDescription(
        key="sims_present",
        translation_key="sims_present",
        state_class=SensorStateClass.MEASUREMENT,
        count_fn=lambda port: sum(slot.state not in _NO_SIM for slot in port.slots.values()),
    ),
)


@dataclass(frozen=True, kw_only=True)
class DailySensorDescription(SensorEntityDescription):
    """Today's SMS totals of the whole gateway."""

    value_fn: Callable[[GatewayStatistics], StateType]
    exists_fn: Callable[[Gateway], bool]


DAILY_SENSORS: tuple[DailySensorDescription, ...] = (
    DailySensorDescription(
        key="sms_sent_today",
        translation_key="sms_sent_today",
        # Falls to 0 at the gateway's midnight: a meter reset, not a negative change in long-term statistics.
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda data: sum(stats.sent for stats in data.sms_today.values()),
        exists_fn=has_capability(Capability.SMS_STATISTICS),
    ),
    DailySensorDescription(
        key="sms_received_today",
        translation_key="sms_received_today",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda data: sum(stats.received for stats in data.sms_today.values()),
        exists_fn=has_capability(Capability.SMS_STATISTICS),
    ),
)


SEND_QUEUE_SENSOR = SensorEntityDescription(
    key="sms_waiting",
    translation_key="sms_waiting",
    state_class=SensorStateClass.MEASUREMENT,
)


async def async_setup_entry(
    hass: HomeAssistant, entry: GsmGatewayConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add sensors for the gateway and every port (also ports that appear later)."""
    runtime = entry.runtime_data
    gateway = runtime.gateway
    statistics = runtime.statistics

    gateway_entities: list[SensorEntity] = [
        GatewaySensor(entry, description) for description in GATEWAY_SENSORS if description.exists_fn(gateway)
    ]
    if statistics is not None:
        gateway_entities.extend(
            DailySmsSensor(entry, statistics, description)
            for description in DAILY_SENSORS
            if description.exists_fn(gateway)
        )
    if runtime.queue is not None and Capability.SEND_QUEUE in gateway.capabilities:
        gateway_entities.append(SendQueueSensor(entry, runtime.queue))
    async_add_entities(gateway_entities)

    # Per-slot status only where the gateway reports inactive slots (Dinstar reports the active SIM only).
    ports = list(runtime.status.data.ports.values())
    slot_count = gateway.device.slot_count
    multi_slot = slot_count > 1 and any(
        not slot.active and slot.state is not SimState.UNKNOWN for port in ports for slot in port.slots.values()
    )
    counters = [d for d in STATISTICS_SENSORS if statistics is not None and d.exists_fn(gateway)]

    def port_entities(port: PortStatus) -> list[SensorEntity]:
        if statistics is None:
            return []
        return [StatisticsSensor(entry, statistics, port.port, description) for description in counters]

    add_port_entities(entry, async_add_entities, port_entities)
    if multi_slot:
        add_slot_entities(
            hass,
            entry,
            async_add_entities,
            SENSOR_DOMAIN,
            lambda port, slot: [SlotSensor(entry, port, slot, SLOT_STATUS)],
        )
    ReportedValueSensors(hass, entry, async_add_entities).async_start()


class ReportedValueSensors:
    """Adds a port value's sensors once the gateway reports that value, on any port, at any update.

    A value the gateway never reports (Synway has no signal or operator, Dinstar no operator) gets no sensor; one
    that appears later (a SIM still registering when Home Assistant started) gets its sensors then. Sensors already
    in the entity registry are added at once, so they never show as orphans while their value is missing.
    """

    def __init__(
        self, hass: HomeAssistant, entry: GsmGatewayConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
    ) -> None:
        """Track one entry's ports."""
        self.hass = hass
        self.entry = entry
        self.async_add_entities = async_add_entities
        self.coordinator = entry.runtime_data.status
        self.reported: list[PortSensorDescription] = []  # descriptions whose sensors exist
        self.ports: dict[int, PortStatus] = {}  # ports whose sensors exist, as last checked

    @callback
    def async_start(self) -> None:
        """Add what is reported or registered now, then check every update."""
        registry = er.async_get(self.hass)
        ports = self.coordinator.data.ports
        registered = {
            description.key
            for description in PORT_SENSORS
            for number in ports
            if registry.async_get_entity_id(
                SENSOR_DOMAIN, DOMAIN, f"{self.entry.unique_id}_port_{number}_{description.key}"
            )
        }
        self._async_check(registered)
        self.entry.async_on_unload(self.coordinator.async_add_listener(self._async_check))

    @callback
    def _async_check(self, registered: set[str] | None = None) -> None:
        ports = self.coordinator.data.ports
        changed = [port for number, port in ports.items() if self.ports.get(number) is not port]
        if not changed:
            return
        waiting = [description for description in PORT_SENSORS if description not in self.reported]
        appeared = [
            description
            for description in waiting
            if (registered and description.key in registered) or any(description.exists_fn(port) for port in changed)
        ]
        new_ports = [port for port in changed if port.port not in self.ports]
        entities = [
            PortSensor(self.entry, port.port, description) for port in new_ports for description in self.reported
        ] + [PortSensor(self.entry, number, description) for number in sorted(ports) for description in appeared]
        self.reported.extend(appeared)
        self.ports.update((port.port, port) for port in changed)
        if entities:
            self.async_add_entities(entities)


def within_state_length(value: StateType) -> StateType:
    """Text cut to what a state can hold (Home Assistant logs an error and shows "unknown" beyond 255 characters).

    A device, or a forged push, may report an operator name of any length.
    """
    return value[:MAX_LENGTH_STATE_STATE] if isinstance(value, str) else value


class PortSensor(PortEntity, SensorEntity):
    """A value of a port (its active SIM slot)."""

    entity_description: PortSensorDescription

    def __init__(self, entry: GsmGatewayConfigEntry, port: int, description: PortSensorDescription) -> None:
        """Bind the description to a port."""
        super().__init__(entry, port, description.key)
        self.entity_description = description
        self._read_from: PortStatus | None = None
        self._read: tuple[StateType, Mapping[str, Any] | None] = (None, None)

    def _value(self) -> tuple[StateType, Mapping[str, Any] | None]:
        """Value and attributes, worked out once per port status (the check and the write both ask)."""
        port = self.port_status
        if port is None:
            return (None, None)
        if port is not self._read_from:
            description = self.entity_description
            self._read = (within_state_length(description.value_fn(port)), description.attributes_fn(port))
            self._read_from = port
        return self._read

    @override
    def shown_state(self) -> object:
        # The raw value, not the rendered state: cheaper, and it changes exactly when the state does.
        return self._value()

    @property
    @override
    def native_value(self) -> StateType:
        return self._value()[0]

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        return self._value()[1]


class SlotSensor(PortEntity, SensorEntity):
    """A value of one SIM slot of a port."""

    entity_description: SlotSensorDescription

    def __init__(self, entry: GsmGatewayConfigEntry, port: int, slot: int, description: SlotSensorDescription) -> None:
        """Bind the description to a port's slot."""
        super().__init__(entry, port, description.key, slot)
        self.entity_description = description

    @override
    def shown_state(self) -> object:
        return (self.native_value, self.extra_state_attributes)

    @property
    @override
    def native_value(self) -> StateType:
        slot = self.slot_status
        return None if slot is None else within_state_length(self.entity_description.value_fn(slot))

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        slot = self.slot_status
        return None if slot is None else self.entity_description.attributes_fn(slot)


class StatisticsSensor(GsmGatewayEntity[GatewayStatisticsCoordinator], SensorEntity):
    """A counter of a port's active SIM, from the statistics coordinator."""

    entity_description: StatisticsSensorDescription

    def __init__(
        self,
        entry: GsmGatewayConfigEntry,
        coordinator: GatewayStatisticsCoordinator,
        port: int,
        description: StatisticsSensorDescription,
    ) -> None:
        """Bind the description to a port."""
        super().__init__(entry, coordinator, f"port_{port}_{description.key}")
        self.entity_description = description
        self.port = port
        self._attr_device_info = entry.runtime_data.devices.child_device_info(port)

    @override
    def inputs(self) -> tuple[object, ...]:
        # The counters, and which slot of its port is active (the counters are the active SIM's).
        status = self.gateway_status
        own = self.coordinator
        port = status.data.ports.get(self.port)
        active = port.active_slot if port is not None else None
        return (own.data, own.last_update_success, active, status.last_update_success)

    def _active_label(self) -> str | None:
        port = self.gateway_status.data.ports.get(self.port)
        if port is None or port.active_slot is None:
            return None
        return SlotRef(self.port, port.active_slot).label

    @override
    def shown_state(self) -> object:
        return self.native_value

    @property
    @override
    def native_value(self) -> StateType:
        label = self._active_label()
        data: GatewayStatistics | None = self.coordinator.data  # None until the first poll succeeds
        if label is None or data is None:
            return None
        return self.entity_description.value_fn(data, label)


class GatewaySensor(GsmGatewayEntity[Any], SensorEntity):
    """A summary of the whole gateway."""

    entity_description: GatewaySensorDescription

    def __init__(self, entry: GsmGatewayConfigEntry, description: GatewaySensorDescription) -> None:
        """Bind the description to the gateway."""
        super().__init__(entry, entry.runtime_data.status, description.key)
        self.entity_description = description
        self._counts: dict[
            int, tuple[PortStatus, int]
        ] = {}  # per port, by its status object: a SIM bank has 2,048 slots

    def _count(self, port: PortStatus) -> int:
        known = self._counts.get(port.port)
        if known is None or known[0] is not port:
            known = self._counts[port.port] = (port, self.entity_description.count_fn(port))
        return known[1]

    @property
    @override
    def native_value(self) -> StateType:
        return sum(self._count(port) for port in self.coordinator.data.ports.values())


class DailySmsSensor(GsmGatewayEntity[GatewayStatisticsCoordinator], SensorEntity):
    """SMS sent or received today on the whole gateway."""

    entity_description: DailySensorDescription

    def __init__(
        self,
        entry: GsmGatewayConfigEntry,
        coordinator: GatewayStatisticsCoordinator,
        description: DailySensorDescription,
    ) -> None:
        """Bind the description to the gateway."""
        super().__init__(entry, coordinator, description.key)
        self.entity_description = description

    @override
    def inputs(self) -> tuple[object, ...]:
        # The counters, and whether the gateway answers; not which port changed.
        return (self.coordinator.data, self.coordinator.last_update_success, self.gateway_status.last_update_success)

    @property
    @override
    def native_value(self) -> StateType:
        data: GatewayStatistics | None = self.coordinator.data  # None until the first poll succeeds
        return None if data is None else self.entity_description.value_fn(data)


class SendQueueSensor(GsmGatewayEntity[SendQueueCoordinator], SensorEntity):
    """SMS waiting in the gateway's send queue, on every port (its own coordinator: see `SendQueueCoordinator`)."""

    entity_description = SEND_QUEUE_SENSOR

    def __init__(self, entry: GsmGatewayConfigEntry, coordinator: SendQueueCoordinator) -> None:
        """Attach to the gateway's device."""
        super().__init__(entry, coordinator, SEND_QUEUE_SENSOR.key)

    @override
    def shown_state(self) -> object:
        return self.native_value

    @property
    @override
    def native_value(self) -> StateType:
        return self.coordinator.data
