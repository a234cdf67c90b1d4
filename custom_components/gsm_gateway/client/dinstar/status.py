"""`get_port_info` rows → `DeviceInfo`, `GatewayStatus` and the capability set.

Decisions (docs/protocol-dinstar.md):
- Port count: the highest wire port reported plus one (at most 32). Slot count: 4 when any port reports a
  slot 0-3 (the spec's range; the API does not say how many slots are fitted), else 1.
- The API reports only the active SIM of a port. The other slots of a multi-SIM port are listed as
  `SimState.UNKNOWN`, inactive, so the set of slots stays the same from one poll to the next.
- Model: the API has no model field, so it is described from what it does report: `8-port LTE` or
  `8-port GSM, 4 SIMs per port`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from ..models import Capability, DeviceInfo, GatewayStatus, PortStatus, SimState, SlotStatus, Vendor
from ..ports import SlotRef
from .models import InfoType, PortInfo
from .parse import balance_of, csq_to_dbm, sim_state
from .ports import MULTI_SIM_SLOTS, WIRE_PORTS

STATUS_INFO_TYPES = (
    InfoType.TYPE,
    InfoType.IMEI,
    InfoType.IMSI,
    InfoType.ICCID,
    InfoType.NUMBER,
    InfoType.REG,
    InfoType.SLOT,
    InfoType.CALL_STATE,
    InfoType.SIGNAL,
    InfoType.GPRS,
    InfoType.REMAIN_CREDIT,
)
CONNECT_INFO_TYPES = (InfoType.TYPE, InfoType.SLOT, InfoType.IMEI)

# What every firmware with the new-version API documents. Removed one by one when an endpoint answers 404.
BASE_CAPABILITIES = frozenset({
    Capability.SMS_PUSH,
    Capability.STATUS_PUSH,  # `register`: a SIM that registers or drops off is pushed, and the status read at once
    Capability.INBOX_POLL,
    Capability.SEND_REPORTS,
    Capability.DELIVERY_REPORTS,
    Capability.REPORT_POLL,
    Capability.USSD,
    Capability.CDR,
    Capability.STK,
    Capability.CALL_FORWARD,
    Capability.MODULE_POWER,
    Capability.RESET_MODULE,
    Capability.LOCK,
    Capability.SET_SIM_NUMBER,
    Capability.SEND_QUEUE,  # `query_sms_in_queue` (or an alias); gone when none of the names exists
    Capability.SMS_CANCEL,  # `stop_sms` with the task id of a send
    Capability.USSD_CANCEL,  # `send_ussd` with `command=cancel`
})  # fmt: skip
# A capability that goes with another: the endpoint of USSD is the one that cancels it.
NEEDS: Mapping[Capability, Capability] = {Capability.USSD_CANCEL: Capability.USSD}


MULTI_SLOT_CAPABILITIES = frozenset({Capability.SIM_SLOTS, Capability.SWITCH_SLOT})
DECLARED_CAPABILITIES: Mapping[Capability, str | None] = {
    **dict.fromkeys(BASE_CAPABILITIES),
    **dict.fromkeys(MULTI_SLOT_CAPABILITIES, "multi-SIM models"),
    Capability.SET_IMEI: "when the device reports IMEIs",
}


def port_count_of(infos: Sequence[PortInfo]) -> int:
    """Ports of the device: highest wire port reported plus one, at most 32."""
    return min(max(info.wire_port for info in infos) + 1, WIRE_PORTS) if infos else 0


def slot_count_of(infos: Iterable[PortInfo]) -> int:
    """SIM slots per port: 4 on multi-SIM models (a port reports slot 0-3), else 1."""
    return MULTI_SIM_SLOTS if any(info.multi_sim for info in infos) else 1


def model_of(infos: Sequence[PortInfo], port_count: int, slot_count: int) -> str:
    """A description of the model from what the device reports: `8-port LTE, 4 SIMs per port`."""
    types = Counter(
        info.module_type.upper() for info in infos if info.module_type and info.module_type.upper() != "UNKNOWN"
    )
    kind = f" {types.most_common(1)[0][0]}" if types else ""
    slots = f", {slot_count} SIMs per port" if slot_count > 1 else ""
    return f"{port_count}-port{kind}{slots}"


def device_info(serial: str, infos: Sequence[PortInfo], host: str | None = None) -> DeviceInfo:
    """Device info from a `get_port_info` answer."""
    port_count = port_count_of(infos)
    slot_count = slot_count_of(infos)
    return DeviceInfo(
        vendor=Vendor.DINSTAR,
        model=model_of(infos, port_count, slot_count),
        serial=serial,
        ip=host,
        port_count=port_count,
        slot_count=slot_count,
    )


def without_missing(capabilities: Iterable[Capability], missing: Iterable[Capability]) -> frozenset[Capability]:
    """`capabilities` less those whose endpoint answered 404, and less those that need a missing one (`NEEDS`)."""
    gone = set(missing)
    return frozenset(item for item in capabilities if item not in gone and NEEDS.get(item) not in gone)


def capabilities_of(device: DeviceInfo, *, imei_reported: bool, missing: Iterable[Capability]) -> frozenset[Capability]:
    """Capabilities from what the device showed: slots, IMEIs, and endpoints that answered 404."""
    capabilities = set(BASE_CAPABILITIES)
    if device.slot_count > 1:
        capabilities |= MULTI_SLOT_CAPABILITIES
    if imei_reported:
        capabilities.add(Capability.SET_IMEI)
    return without_missing(capabilities, missing)


def slot_status(info: PortInfo) -> SlotStatus:
    """The active SIM of a port."""
    raw_label = f"{info.wire_port}" if info.wire_slot is None else f"{info.wire_port}.{info.wire_slot}"
    status_text = info.reg or ""
    if info.call_state and info.call_state.lower() not in {"idle", "unknown"}:
        status_text = f"{status_text} ({info.call_state})" if status_text else info.call_state
    return SlotStatus(
        ref=info.ref,
        label=info.port_label,
        raw_label=raw_label,
        state=sim_state(info.reg, info.call_state),
        status_text=status_text,
        active=True,
        balance=balance_of(info.remain_credit),
        operator=info.operator,
        sim_number=info.number,
        imei=info.imei,
        imsi=info.imsi,
        iccid=info.iccid,
        signal=info.signal,
        signal_dbm=csq_to_dbm(info.signal),
        network_type=info.module_type,
        call_state=info.call_state,
        extra={
            key: value
            for key, value in (
                ("gprs", info.gprs),
                ("remain_monthly_credit", info.remain_monthly_credit),
                ("remain_daily_credit", info.remain_daily_credit),
                ("remain_daily_call_time", info.remain_daily_call_time),
                ("remain_hourly_call_time", info.remain_hourly_call_time),
                ("remain_daily_connect", info.remain_daily_connect),
                ("remain_credit", info.remain_credit),
            )
            if value is not None
        },
    )


def _inactive_slot(port: int, slot: int) -> SlotStatus:
    ref = SlotRef(port, slot)
    return SlotStatus(
        ref=ref,
        label=ref.label,
        raw_label=f"{port - 1}.{slot - 1}",
        state=SimState.UNKNOWN,
        status_text="inactive slot (the device reports only the active SIM)",
        active=False,
    )


def gateway_status(device: DeviceInfo, infos: Iterable[PortInfo]) -> GatewayStatus:
    """Status of every port; inactive slots of multi-SIM ports are placeholders."""
    ports: dict[int, PortStatus] = {}
    for info in sorted(infos, key=lambda row: row.wire_port):
        port = info.ref.port
        active_slot = info.ref.slot or 1
        slots = {slot: _inactive_slot(port, slot) for slot in range(1, device.slot_count + 1)}
        slots[active_slot] = slot_status(info)
        ports[port] = PortStatus(port=port, slots=slots, active_slot=active_slot)
    return GatewayStatus(device=device, ports=ports)
