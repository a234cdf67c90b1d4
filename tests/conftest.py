"""Fixtures shared by every test directory."""

from __future__ import annotations
