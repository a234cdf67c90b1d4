"""services.yaml loads in Home Assistant without a warning (a user reads one as a broken integration)."""

from __future__ import annotations

import logging
from pathlib import Path

from homeassistant.util.yaml import load_yaml
import pytest

SERVICES = Path(__file__).parents[1] / "custom_components" / "gsm_gateway" / "services.yaml"


def test_services_yaml_loads_without_warnings(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        services = load_yaml(str(SERVICES))
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING] == []
    assert isinstance(services, dict)
    # The merged field parts keep what each field says about itself.
    assert services["list_proxies"]["fields"]["mode"]["required"] is False
    assert services["add_proxy"]["fields"]["mode"]["required"] is True
    assert services["update_proxy_user"]["fields"]["interfaces"]["required"] is True
    assert services["add_proxy_user"]["fields"]["interfaces"]["required"] is False
