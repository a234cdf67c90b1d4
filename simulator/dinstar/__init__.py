"""The simulated Dinstar gateway (importing it registers it)."""

from .server import DinstarSimulator

__all__ = ["DinstarSimulator"]
