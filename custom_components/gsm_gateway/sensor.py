"""Sensors: SIM status, signal, operator, balance and identifiers per port; statistics; gateway summary."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorEntityDescription, SensorStateClass
from homeassistant.const import PERCENTAGE, SIGNAL_STRENGTH_DECIBELS_MILLIWATT, EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .client import (
    REGISTERED_STATES,
    CallStatistics,
    Capability,
    GatewayStatus,
    PortStatus,
    SimState,
    SlotRef,
    SlotStatus,
    SmsStatistics,
)
from .coordinator import GatewayStatistics, GatewayStatisticsCoordinator, GsmGatewayConfigEntry, PortListener
from .entity import GsmGatewayEntity, PortEntity, add_port_entities

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class SlotSensorDescription(SensorEntityDescription):
    """A value of the active (or a given) SIM slot."""

    value_fn: Callable[[SlotStatus], StateType]
    attributes_fn: Callable[[SlotStatus], Mapping[str, Any]] | None = None


SLOT_SENSORS: tuple[SlotSensorDescription, ...] = (
    SlotSensorDescription(
        key="signal",
        translation_key="signal",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda slot: slot.signal_dbm,
    ),
    SlotSensorDescription(
        key="operator",
        translation_key="operator",
        value_fn=lambda slot: slot.operator,
    ),
    SlotSensorDescription(
        key="balance",
        translation_key="balance",
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=lambda slot: slot.balance,
    ),
    SlotSensorDescription(
        key="sim_number",
        translation_key="sim_number",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda slot: slot.sim_number,
    ),
    SlotSensorDescription(
        key="iccid",
        translation_key="iccid",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda slot: slot.iccid,
    ),
    SlotSensorDescription(
        key="imsi",
        translation_key="imsi",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda slot: slot.imsi,
    ),
    SlotSensorDescription(
        key="imei",
        translation_key="imei",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda slot: slot.imei,
    ),
)

STATUS_OPTIONS = [state.value for state in SimState]


def _status_attributes(slot: SlotStatus) -> Mapping[str, Any]:
    return {"status_code": slot.status_code, "device_status": slot.status_text}


PORT_STATUS = SlotSensorDescription(
    key="status",
    translation_key="status",
    device_class=SensorDeviceClass.ENUM,
    options=STATUS_OPTIONS,
    value_fn=lambda slot: slot.state.value,
    attributes_fn=_status_attributes,
)

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
    """A counter of the active SIM slot of a port."""

    capability: Capability
    value_fn: Callable[[GatewayStatistics, str], StateType]


def _sms(field: str) -> Callable[[GatewayStatistics, str], StateType]:
    def value(data: GatewayStatistics, label: str) -> StateType:
        stats: SmsStatistics | None = data.sms_total.get(label)
        return None if stats is None else getattr(stats, field)

    return value


def _calls(field: str) -> Callable[[GatewayStatistics, str], StateType]:
    def value(data: GatewayStatistics, label: str) -> StateType:
        stats: CallStatistics | None = data.calls_total.get(label)
        return None if stats is None else getattr(stats, field)

    return value


STATISTICS_SENSORS: tuple[StatisticsSensorDescription, ...] = (
    StatisticsSensorDescription(
        key="sms_sent",
        translation_key="sms_sent",
        capability=Capability.SMS_STATISTICS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=_sms("sent"),
    ),
    StatisticsSensorDescription(
        key="sms_sent_ok",
        translation_key="sms_sent_ok",
        capability=Capability.SMS_STATISTICS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_registry_enabled_default=False,
        value_fn=_sms("sent_ok"),
    ),
    StatisticsSensorDescription(
        key="sms_failed",
        translation_key="sms_failed",
        capability=Capability.SMS_STATISTICS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=_sms("sent_failed"),
    ),
    StatisticsSensorDescription(
        key="sms_received",
        translation_key="sms_received",
        capability=Capability.SMS_STATISTICS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=_sms("received"),
    ),
    StatisticsSensorDescription(
        key="sms_unsent",
        translation_key="sms_unsent",
        capability=Capability.SMS_STATISTICS,
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=False,
        value_fn=_sms("unsent"),
    ),
    StatisticsSensorDescription(
        key="calls",
        translation_key="calls",
        capability=Capability.CALL_STATISTICS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_registry_enabled_default=False,
        value_fn=_calls("calls"),
    ),
    StatisticsSensorDescription(
        key="call_asr",
        translation_key="call_asr",
        capability=Capability.CALL_STATISTICS,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=False,
        value_fn=_calls("asr"),
    ),
    StatisticsSensorDescription(
        key="call_acd",
        translation_key="call_acd",
        capability=Capability.CALL_STATISTICS,
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=False,
        value_fn=_calls("acd"),
    ),
    StatisticsSensorDescription(
        key="call_pdd",
        translation_key="call_pdd",
        capability=Capability.CALL_STATISTICS,
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=False,
        value_fn=_calls("pdd"),
    ),
)


@dataclass(frozen=True, kw_only=True)
class GatewaySensorDescription(SensorEntityDescription):
    """A summary value of the whole gateway."""

    value_fn: Callable[[GatewayStatus], StateType]


GATEWAY_SENSORS: tuple[GatewaySensorDescription, ...] = (
    GatewaySensorDescription(
        key="ports_registered",
        translation_key="ports_registered",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: sum(port.state in REGISTERED_STATES for port in data.ports.values()),
    ),
    GatewaySensorDescription(
        key="sims_present",
        translation_key="sims_present",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: sum(
            slot.state not in {SimState.NO_SIM, SimState.UNKNOWN}
            for port in data.ports.values()
            for slot in port.slots.values()
        ),
    ),
)


@dataclass(frozen=True, kw_only=True)
class DailySensorDescription(SensorEntityDescription):
    """Today's SMS totals of the whole gateway."""

    field: str


DAILY_SENSORS: tuple[DailySensorDescription, ...] = (
    DailySensorDescription(
        key="sms_sent_today", translation_key="sms_sent_today", state_class=SensorStateClass.TOTAL, field="sent"
    ),
    DailySensorDescription(
        key="sms_received_today",
        translation_key="sms_received_today",
        state_class=SensorStateClass.TOTAL,
        field="received",
    ),
)


async def async_setup_entry(
    _hass: HomeAssistant, entry: GsmGatewayConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add sensors for the gateway and every port (also ports that appear later)."""
    runtime = entry.runtime_data
    statistics = runtime.statistics
    capabilities = runtime.gateway.capabilities

    gateway_entities: list[SensorEntity] = [GatewaySensor(entry, description) for description in GATEWAY_SENSORS]
    if statistics is not None and Capability.SMS_STATISTICS in capabilities:
        gateway_entities.extend(DailySmsSensor(entry, statistics, description) for description in DAILY_SENSORS)
    async_add_entities(gateway_entities)

    # A value this gateway never reports (Synway has no signal or operator, Dinstar no operator) gets no sensor.
    slots = [slot for port in runtime.status.data.ports.values() for slot in port.slots.values()]
    reported = [d for d in SLOT_SENSORS if any(d.value_fn(slot) is not None for slot in slots)]
    # Per-slot status only where the gateway reports inactive slots (Dinstar reports the active SIM only).
    multi_slot = runtime.gateway.device.slot_count > 1 and any(
        not slot.active and slot.state is not SimState.UNKNOWN for slot in slots
    )

    def port_entities(port: PortStatus) -> list[SensorEntity]:
        entities: list[SensorEntity] = [SlotSensor(entry, port.port, PORT_STATUS)]
        entities.extend(SlotSensor(entry, port.port, description) for description in reported)
        if multi_slot:
            entities.extend(
                SlotSensor(entry, port.port, SLOT_STATUS, slot=slot)
                for slot in range(1, runtime.gateway.device.slot_count + 1)
            )
        if statistics is not None:
            entities.extend(
                StatisticsSensor(entry, statistics, port.port, description)
                for description in STATISTICS_SENSORS
                if description.capability in capabilities
            )
        return entities

    add_port_entities(entry, async_add_entities, port_entities)


class SlotSensor(PortEntity, SensorEntity):
    """A value of a port's active SIM slot, or of one given slot."""

    entity_description: SlotSensorDescription

    def __init__(
        self,
        entry: GsmGatewayConfigEntry,
        port: int,
        description: SlotSensorDescription,
        *,
        slot: int | None = None,
    ) -> None:
        """Bind the description to a port (and slot)."""
        super().__init__(entry, port, description.key, slot)
        self.entity_description = description

    @override
    def written_state_key(self) -> object:
        # The raw value, not the rendered state: cheaper, and it changes exactly when the state does.
        return (self.native_value, self.extra_state_attributes)

    @property
    @override
    def native_value(self) -> StateType:
        if self.slot is None and self.entity_description.key == "status":
            port = self.port_status
            return None if port is None else port.state.value
        slot = self.slot_status
        return None if slot is None else self.entity_description.value_fn(slot)

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        slot = self.slot_status
        if slot is None or self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(slot)


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
        self.status_listener_context = PortListener(port)
        self._attr_device_info = PortEntity.child_device_info(entry, port)

    def _active_label(self) -> str | None:
        port = self.gateway_status.data.ports.get(self.port)
        if port is None or port.active_slot is None:
            return None
        return SlotRef(self.port, port.active_slot).label

    @override
    def source_identity(self) -> tuple[object, ...] | None:
        return (self.coordinator.data, self.gateway_status.data.ports.get(self.port))

    @override
    def written_state_key(self) -> object:
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

    @property
    @override
    def native_value(self) -> StateType:
        return self.entity_description.value_fn(self.coordinator.data)


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

    @property
    @override
    def native_value(self) -> StateType:
        data: GatewayStatistics | None = self.coordinator.data  # None until the first poll succeeds
        if data is None:
            return None
        stats = data.sms_today.values()
        return sum(int(getattr(stat, self.entity_description.field)) for stat in stats)
