"""EJOIN v2.2 proxy configuration and IP lists of the simulated gateway (answers use code 0 for success)."""

from __future__ import annotations

from typing import Any

from .state import ProxyModeState, UrlList

MODE_NUMBERS = {"socks5": 2, "http": 3}
BAD_REQUEST = 400
NAME_LIMITS = {"proxy": 32, "proxy_user": 20}


def ok(**fields: Any) -> dict[str, Any]:
    """A successful answer."""
    return {"code": 0, "reason": "OK", **fields}


def failure(reason: str) -> dict[str, Any]:
    """A refused request (code 400: the device's documents only say "other values mean failure")."""
    return {"code": BAD_REQUEST, "reason": reason}


class ProxyService:
    """The `/proxy*` resources for both modes, and the IP white- and blacklist."""

    def __init__(self) -> None:
        """Everything disabled and empty, like a new device."""
        self.modes = {mode: ProxyModeState() for mode in MODE_NUMBERS}
        self.ip_lists: dict[str, UrlList] = {"ip_white_list": UrlList(), "ip_black_list": UrlList()}

    # --- GET ----------------------------------------------------------------------------------------------

    def get(self, resource: str, mode: str | None, *, state: bool) -> dict[str, Any]:
        """Status (`state`) or configuration of a resource."""
        if mode not in self.modes:
            return failure("Invalid mode")
        config = self.modes[mode]
        enabled, items = self._view(resource, config)
        base = ok(mode=MODE_NUMBERS[mode], enabled=int(enabled))
        if state or items is None:
            return base
        key, values = items
        return {**base, "size": len(values), key: values}

    @staticmethod
    def _view(resource: str, config: ProxyModeState) -> tuple[bool, tuple[str, list[Any]] | None]:
        if resource == "proxy":
            return config.enabled, ("proxies", [{"name": name, **entry} for name, entry in config.proxies.items()])
        if resource == "proxy_user":
            return config.users_enabled, ("users", [{"name": name, **user} for name, user in config.users.items()])
        if resource == "proxy_white_list":
            return config.white.enabled, ("urls", list(config.white.urls))
        if resource == "proxy_black_list":
            return config.black.enabled, ("urls", list(config.black.urls))
        return config.access_log, None

    # --- POST ---------------------------------------------------------------------------------------------

    def post(self, resource: str, mode: str | None, op: str | None, body: Any) -> dict[str, Any]:
        """Change a resource (`op=enabled|disabled|add|update|delete`)."""
        if mode not in self.modes:
            return failure("Invalid mode")
        config = self.modes[mode]
        if op in {"enabled", "disabled"}:
            self._set_enabled(resource, config, enabled=op == "enabled")
            return ok()
        if resource == "proxy_access_log" or op not in {"add", "update", "delete"} or not isinstance(body, dict):
            return failure("Invalid operation")
        if resource in {"proxy_white_list", "proxy_black_list"}:
            return self._urls(config.white if resource == "proxy_white_list" else config.black, op, body)
        if resource == "proxy":
            return self._named(config.proxies, body.get("proxies"), op, f"{mode}-", ("port", "interfaces", "active"))
        return self._named(config.users, body.get("users"), op, "", ("pwd", "interfaces", "mark"))

    @staticmethod
    def _set_enabled(resource: str, config: ProxyModeState, *, enabled: bool) -> None:
        if resource == "proxy":
            config.enabled = enabled
        elif resource == "proxy_user":
            config.users_enabled = enabled
        elif resource == "proxy_white_list":
            config.white.enabled = enabled
        elif resource == "proxy_black_list":
            config.black.enabled = enabled
        else:
            config.access_log = enabled

    @staticmethod
    def _urls(target: UrlList, op: str, body: dict[str, Any]) -> dict[str, Any]:
        urls = body.get("urls")
        if not isinstance(urls, list) or not all(isinstance(url, str) and url for url in urls) or op == "update":
            return failure("Invalid urls")
        if op == "add":
            target.urls.extend(url for url in urls if url not in target.urls)
        else:
            target.urls[:] = [url for url in target.urls if url not in urls]
        return ok()

    @staticmethod
    def _named(
        store: dict[str, dict[str, object]], items: Any, op: str, prefix: str, fields: tuple[str, ...]
    ) -> dict[str, Any]:
        if not isinstance(items, list) or not items or not all(isinstance(item, dict) for item in items):
            return failure("Invalid body")
        limit = NAME_LIMITS["proxy" if prefix else "proxy_user"]
        for item in items:
            name = item.get("name")
            if not isinstance(name, str) or not name or len(name) > limit:
                return failure("Invalid name")
            full = name if not prefix or name.startswith(prefix) else prefix + name
            if op == "add":
                store[full] = {key: item[key] for key in fields if key in item}
            elif full not in store:
                return failure("Not found")
            elif op == "update":
                store[full].update({key: item[key] for key in fields if key in item and key != "pwd"})
            else:
                del store[full]
        return ok()

    # --- IP lists -----------------------------------------------------------------------------------------

    def ip_get(self, kind: str) -> dict[str, Any]:
        """`GET /ip_white_list` or `/ip_black_list` (the flag spelled `enbale`, as documented)."""
        target = self.ip_lists[kind]
        return ok(enbale=int(target.enabled), ipset=list(target.urls))

    def ip_post(self, kind: str, body: Any) -> dict[str, Any]:
        """Enable/disable and add/remove addresses; the whitelist reads `enable`, the blacklist `enbale`."""
        if not isinstance(body, dict):
            return failure("Invalid body")
        primary, fallback = ("enable", "enbale") if kind == "ip_white_list" else ("enbale", "enable")
        flag = body.get(primary, body.get(fallback))
        added, deleted = body.get("added_set", []), body.get("deleted_set", [])
        if flag not in {0, 1} or not isinstance(added, list) or not isinstance(deleted, list):
            return failure("Invalid body")
        if kind == "ip_black_list" and "*" in added and not self.ip_lists["ip_white_list"].enabled:
            return failure("Enable the whitelist before blocking every address")
        target = self.ip_lists[kind]
        target.enabled = bool(flag)
        target.urls[:] = [ip for ip in target.urls if ip not in deleted]
        target.urls.extend(ip for ip in added if isinstance(ip, str) and ip not in target.urls)
        return ok()
