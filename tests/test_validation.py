"""The shared input checks of ttcross.validation."""

import numpy as np
import pytest

from ttcross.validation import check_int, check_probability, check_real


def test_check_int_positional_minimum_and_types():
    assert check_int(np.int64(3), "k", 1) == 3
    assert type(check_int(np.int64(3), "k")) is int
    with pytest.raises(ValueError, match="`k == 0`, must be >= 1"):
        check_int(0, "k", 1)
    with pytest.raises(TypeError, match="`k` must be an int, not bool"):
        check_int(True, "k")


def test_check_real_bounds():
    assert check_real(2, "x", minimum=0.0, maximum=2.0) == 2.0
    with pytest.raises(ValueError, match=r"`x == 3`, must be in \[0, 2\]"):
        check_real(3, "x", minimum=0.0, maximum=2.0)
    with pytest.raises(ValueError, match=r"`x == 0`, must be in \(0, 2\]"):
        check_real(0.0, "x", minimum=0.0, strict=True, maximum=2.0)
    with pytest.raises(ValueError, match=r"must be in \[-inf, 1\]"):
        check_real(1.5, "x", maximum=1.0)
    with pytest.raises(ValueError, match="`x == 0.0`, must be > 0.0"):
        check_real(0.0, "x", minimum=0.0, strict=True)
    with pytest.raises(ValueError, match="must be finite"):
        check_real(float("inf"), "x", maximum=1.0)
    with pytest.raises(TypeError, match="`x` must be a real number, not str"):
        check_real("1", "x")


def test_check_probability():
    assert check_probability(0.25, "p") == 0.25
    assert check_probability(4 / 3, "p", 4 / 3) == 4 / 3
    with pytest.raises(ValueError, match=r"`p == -0.1`, must be in \[0, 1\]"):
        check_probability(-0.1, "p")
    with pytest.raises(ValueError, match="must be finite"):
        check_probability(float("nan"), "p")
