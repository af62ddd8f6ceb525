"""landscape._validate: the shared argument checks name the parameter and the allowed range."""
import pytest

from landscape import _validate


def test_increasing_integers():
    assert _validate.increasing_integers("L", (3, 5.0, 9), minimum=3) == (3, 5, 9)
    with pytest.raises(ValueError, match="`L` must be a tuple of at least 2"):
        _validate.increasing_integers("L", (3,), min_length=2)
    with pytest.raises(ValueError, match="`L`"):
        _validate.increasing_integers("L", [3, 5])
    with pytest.raises(ValueError, match=r"`L\[1\]` must be an integer in \[2, 10\]"):
        _validate.increasing_integers("L", (3, 11), minimum=2, maximum=10)
    with pytest.raises(ValueError, match="`L` must be strictly increasing"):
        _validate.increasing_integers("L", (3, 3))
