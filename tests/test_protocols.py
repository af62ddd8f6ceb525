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


def _budgets(cfg):
    """Every integer setting, every tuple's length and largest integer, and the count of every
    ``(Lambda, H, count)`` size: the numbers that say how much work a profile does."""
    out = {}
    for f in dataclasses.fields(cfg):
        v = getattr(cfg, f.name)
        if isinstance(v, bool):
            continue
        if isinstance(v, int):
            out[f.name] = v
        elif isinstance(v, tuple):
            out[f.name + " (count)"] = len(v)
            if v and all(isinstance(x, int) for x in v):
                out[f.name + " (max)"] = max(v)
            elif v and all(isinstance(x, tuple) and len(x) == 3 for x in v):
                out.update({f"{f.name}[{x[0]}, {x[1]}]": x[2] for x in v})
    return out


# settings that are not an amount of work and may be smaller at full, with the reason
NOT_A_BUDGET = {
    # the iteration budget is set per network size (n = 4 at quick, n = 16 at full) and each
    # profile's budget is shown in the chapter not to move the kept sample
    ("critical_points_search", "max_iters"),
}


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_full_does_at_least_the_work_of_quick(module):
    chapter = module.__name__.rsplit(".", 1)[1]
    quick, full = _budgets(module.PROFILES["quick"]), _budgets(module.PROFILES["full"])
    smaller = {k: (quick[k], full.get(k)) for k in quick
               if k in full and full[k] < quick[k] and (chapter, k) not in NOT_A_BUDGET}
    assert not smaller, f"full is smaller than quick in {smaller}"
