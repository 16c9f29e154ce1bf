"""Password hashes: production's scrypt cost unless INSPECTFLOW_SCRYPT_N lowers it, as the test suite does
(tests/conftest.py); a hash names its parameters, so either kind verifies wherever it is checked."""

from __future__ import annotations

from engine.identity import accounts


def test_production_keeps_scrypts_cost_and_the_knob_only_lowers_n(monkeypatch):
    monkeypatch.delenv("INSPECTFLOW_SCRYPT_N", raising=False)
    stored = accounts.hash_password("inspectflow-demo")
    assert stored.split("$")[:4] == ["scrypt", "16384", "8", "1"]
    assert accounts.verify_password(stored, "inspectflow-demo")

    monkeypatch.setenv("INSPECTFLOW_SCRYPT_N", "16")
    cheap = accounts.hash_password("inspectflow-demo")
    assert cheap.split("$")[:4] == ["scrypt", "16", "8", "1"]
    assert accounts.verify_password(cheap, "inspectflow-demo") and not accounts.verify_password(cheap, "wrong")
    assert accounts.verify_password(stored, "inspectflow-demo")  # older hashes keep their own cost
