"""What every chapter's profile module in landscape/protocols shares: PROFILES holds one frozen,
keyword-only, validated and documented configuration per profile name (compute.PROFILES).

The per-chapter files (tests/test_protocols_*.py) pin each chapter's values and test its functions."""
import dataclasses
import importlib
import pkgutil
import re

import pytest

import landscape.protocols
from landscape.compute import PROFILES as PROFILE_NAMES

MODULES = [importlib.import_module(f"landscape.protocols.{m.name}")
           for m in pkgutil.iter_modules(landscape.protocols.__path__)]


def test_every_protocol_module_is_found():
    assert len(MODULES) >= 10


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_profiles_are_named_frozen_keyword_only_and_documented(module):
    assert tuple(module.PROFILES) == PROFILE_NAMES
    kinds = {type(cfg) for cfg in module.PROFILES.values()}
    assert len(kinds) == 1, "quick and full are instances of one configuration class"
    kind = kinds.pop()
    assert dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen
    fields = dataclasses.fields(kind)
    assert all(f.kw_only for f in fields), "settings are passed by name"
    for name, cfg in module.PROFILES.items():
        if "name" in {f.name for f in fields}:
            assert cfg.name == name
        for f in fields:
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(cfg, f.name, getattr(cfg, f.name))
        # rebuilding from its own fields passes validation (the instances are not hand-made exceptions)
        assert dataclasses.replace(cfg) == cfg
    assert module.PROFILES["quick"] != module.PROFILES["full"]
    documented = kind.__doc__ or ""
    undocumented = [f.name for f in fields if f.name != "name" and not re.search(
        rf"^\s*(?:\w+,\s*)*{f.name}(?:,\s*\w+)*\s*:", documented, re.M)]
    assert not undocumented, f"fields missing from {kind.__name__}'s Attributes: {undocumented}"
