"""Hypothesis profiles for the fuzz tests, chosen with the `GSM_FUZZ_PROFILE` environment variable.

- `dev` (default, what `scripts/test` runs): a few examples per test, derandomized; the suite stays fast.
- `ci`: a few hundred examples per test, derandomized, so a CI failure can be repeated.
- `fuzz` (what `scripts/fuzz` runs): 10,000 examples per test, random, failures kept in `.hypothesis/`.

A test's own `@settings` still wins; the tests here set none, so the profile decides.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILE_VARIABLE = "GSM_FUZZ_PROFILE"
# One Home Assistant (a function-scoped fixture) serves every example of a webhook test: the webhook keeps no
# state between pushes that the test relies on, and a fresh instance per example would make 10,000 impractical.
_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
}

settings.register_profile("dev", max_examples=25, derandomize=True, database=None, **_COMMON)
settings.register_profile("ci", max_examples=300, derandomize=True, database=None, **_COMMON)
settings.register_profile("fuzz", max_examples=10_000, **_COMMON)
settings.load_profile(os.environ.get(PROFILE_VARIABLE, "dev"))
