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


def test_check_count_refuses_without_truncating():
    from ttcross.validation import INT64_MAX, check_count

    assert check_count(2.0, "c") == 2 and check_count(np.uint8(3), "c") == 3
    cases = [(2.5, "2.5"), ("5", "'5'"), (None, "None"), (True, "True"), (-1, "-1"),
             (float("nan"), "nan"), (INT64_MAX + 1, str(INT64_MAX)), (2.0**60, "2^53")]  # fmt: skip
    for bad, word in cases:
        with pytest.raises(ValueError, match="not a count") as info:
            check_count(bad, "count of '01'")
        assert word in str(info.value) and "count of '01'" in str(info.value)


def test_check_int_array_converts_exact_values_only():
    from ttcross.validation import check_int_array

    out = check_int_array([1.0, 2.0, True], "idx", minimum=0, maximum=2)
    assert out.dtype == np.int64 and out.tolist() == [1, 2, 1]
    with pytest.raises(ValueError, match=r"`idx` entry 1 is 2.5, not a whole number"):
        check_int_array([1.0, 2.5], "idx")
    with pytest.raises(ValueError, match=r"entry 0 is 3, expected 0 <= value <= 2"):
        check_int_array([3], "idx", minimum=0, maximum=2)
    with pytest.raises(ValueError, match="outside int64"):
        check_int_array(np.array([2**70], dtype=object), "idx")
    with pytest.raises(TypeError, match="integer array, got dtype <U1"):
        check_int_array(["a"], "idx")


def test_check_memory_names_the_size_and_the_fix():
    from ttcross.validation import check_memory, format_bytes

    assert format_bytes(512) == "512 bytes" and format_bytes(7.3 * 2**40) == "7.3 TiB"
    assert check_memory(10, "x", "y", limit=10) == 10
    with pytest.raises(ValueError, match=r"sampling would need 1.0 KiB, more than the 100 bytes"):
        check_memory(1024, "sampling", "lower shots", limit=100)
