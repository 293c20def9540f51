"""What tests of rate limits share: one fixed window for the whole test."""

import time
from types import SimpleNamespace

import pytest

from idbridge import ratelimit


@pytest.fixture
def one_window(monkeypatch):
    """Every request of the test falls in one rate-limit window, however long it runs
    and wherever the minute boundary falls, so the counts it asserts are exact."""
    frozen = (time.time() // 60) * 60 + 1
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: frozen))
