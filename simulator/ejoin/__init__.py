"""The simulated Skyline/EJOIN gateway (importing it registers it)."""

from .server import EjoinSimulator

__all__ = ["EjoinSimulator"]
