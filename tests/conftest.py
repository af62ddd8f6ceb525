import os

import pytest
from hypothesis import HealthCheck, settings

# Deterministic property tests, with enough examples to matter but bounded time on 2 cores.
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def ledger_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LANDSCAPE_LEDGER_DIR", str(tmp_path / "ledger"))
    return tmp_path / "ledger"
