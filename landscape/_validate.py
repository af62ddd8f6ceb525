"""Input validation shared by every module.

Each helper raises :class:`ValueError` whose message names the parameter and the
allowed range, so that bad input never turns into a silent NaN, overflow or hang.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "integer",
    "positive_float",
    "finite_array",
    "in_interval",
    "choice",
    "increasing_integers",
]


def integer(name: str, value, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as a Python int, or raise ValueError naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, float, np.floating)):
        raise ValueError(f"`{name}` must be an integer{_range_text(minimum, maximum)}; got {value!r}")
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value) or float(value) != int(value):
            raise ValueError(f"`{name}` must be an integer{_range_text(minimum, maximum)}; got {value!r}")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"`{name}` must be an integer{_range_text(minimum, maximum)}; got {value}")
    return value


def _range_text(minimum, maximum) -> str:
    if minimum is not None and maximum is not None:
        return f" in [{minimum}, {maximum}]"
    if minimum is not None:
        return f" >= {minimum}"
    if maximum is not None:
        return f" <= {maximum}"
    return ""


def positive_float(name: str, value, allow_zero: bool = False) -> float:
    """Return ``value`` as a finite float > 0 (or >= 0), or raise ValueError naming ``name``."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be a finite real number; got {value!r}") from None
    bound = ">= 0" if allow_zero else "> 0"
    if not np.isfinite(x) or x < 0 or (x == 0 and not allow_zero):
        raise ValueError(f"`{name}` must be a finite real number {bound}; got {value!r}")
    return x


def finite_array(name: str, value, dtype=float) -> np.ndarray:
    """Return ``value`` as a numpy array with every entry finite, or raise ValueError."""
    arr = np.asarray(value, dtype=dtype)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"`{name}` must contain only finite numbers")
    return arr


def in_interval(name: str, value, low: float, high: float, closed: str = "both") -> np.ndarray:
    """Check that every entry of ``value`` lies in the interval (low, high) with the given closure.

    ``closed`` is one of ``"both"``, ``"left"``, ``"right"``, ``"neither"``.
    """
    arr = finite_array(name, value)
    lo_ok = arr >= low if closed in ("both", "left") else arr > low
    hi_ok = arr <= high if closed in ("both", "right") else arr < high
    if not np.all(lo_ok & hi_ok):
        left = "[" if closed in ("both", "left") else "("
        right = "]" if closed in ("both", "right") else ")"
        raise ValueError(f"`{name}` must lie in {left}{low}, {high}{right}; got {value!r}")
    return arr


def choice(name: str, value, allowed) -> str:
    """Check that ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"`{name}` must be one of {sorted(allowed)}; got {value!r}")
    return value


def increasing_integers(name: str, value, *, minimum: int | None = None, maximum: int | None = None,
                        min_length: int = 1) -> tuple:
    """Return ``value``, a tuple of at least ``min_length`` strictly increasing integers each in
    [``minimum``, ``maximum``], or raise ValueError naming ``name`` (``name[i]`` for a bad entry)."""
    if not isinstance(value, tuple) or len(value) < min_length:
        raise ValueError(f"`{name}` must be a tuple of at least {min_length} strictly increasing integers"
                         f"{_range_text(minimum, maximum)}; got {value!r}")
    out = tuple(integer(f"{name}[{i}]", v, minimum=minimum, maximum=maximum) for i, v in enumerate(value))
    if any(b <= a for a, b in zip(out, out[1:])):
        raise ValueError(f"`{name}` must be strictly increasing; got {value!r}")
    return out
