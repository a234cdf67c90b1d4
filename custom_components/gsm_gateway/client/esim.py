"""eSIM (Skyline v2.4 firmware): the profiles on each port's eSIM, and downloading or deleting one.

A write or delete is only *submitted*; the device works on it for a while, and `EsimFeature.job_progress` tells
where it stands. The models and the `EsimFeature` interface are shared so callers manage eSIMs without knowing
the vendor: `Gateway.esim` is an `EsimFeature` exactly when the gateway has `Capability.ESIM`, else None.
Answer parsing and request bodies stay in the dialect (`ejoin/esim.py`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class EsimOperation(StrEnum):
    """What a job does."""

    WRITE = "write"
    DELETE = "delete"


class EsimJobState(StrEnum):
    """Where a job stands."""

    PENDING = "pending"  # submitted or in progress
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True, slots=True, kw_only=True)
class EsimJobProgress:
    """One poll of a job: done when `state` is not PENDING."""

    port: int
    slot: int
    operation: EsimOperation
    state: EsimJobState
    reason: str = ""

    @property
    def done(self) -> bool:
        """True when the job finished, well or not."""
        return self.state is not EsimJobState.PENDING


@dataclass(frozen=True, slots=True, kw_only=True)
class EsimProfile:
    """One profile stored on an eSIM."""

    slot: int
    enabled: bool
    iccid: str | None = field(default=None, repr=False)
    provider: str | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EsimInfo:
    """The eSIM of one port."""

    port: int
    eid: str | None = field(default=None, repr=False)
    state: str | None = None
    profiles: tuple[EsimProfile, ...] = ()


class EsimFeature(ABC):
    """The eSIMs of a gateway: list their profiles, submit a download or a deletion, and follow the job."""

    @abstractmethod
    async def list_profiles(self, ports: Sequence[int] | None = None) -> list[EsimInfo]:
        """ESIM state and profiles per port (None: all ports)."""

    @abstractmethod
    async def write(self, port: int, slot: int, activation_code: str, confirmation_code: str = "") -> None:
        """Submit a profile download; follow it with `job_progress(port, slot, EsimOperation.WRITE)`."""

    @abstractmethod
    async def delete(self, port: int, slot: int) -> None:
        """Submit a profile deletion; follow it with `job_progress(port, slot, EsimOperation.DELETE)`."""

    @abstractmethod
    async def job_progress(self, port: int, slot: int, operation: EsimOperation) -> EsimJobProgress:
        """Where a submitted write or delete stands; poll until `.done`."""
