"""Actions of the integration, registered once in `async_setup` (rule action-setup), one module per area.

Each action works only on gateways whose capabilities include what it needs; others get a translated error.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback

from . import dinstar, esim, ip_lists, proxy, sim, sms, tasks, ussd


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action of the integration."""
    for area in (sms, sim, ussd, tasks, esim, proxy, ip_lists, dinstar):
        area.async_setup(hass)
