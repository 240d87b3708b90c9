"""TT cross on a black-box function (no quantum): a 30-dimensional Ackley function on a grid.

Run: python examples/ttcross_function.py   (a few seconds)
"""

import numpy as np

from ttcross import tt_cross

d, n = 30, 16
grid = np.linspace(-2.0, 2.0, n)


def ackley(idx: np.ndarray) -> np.ndarray:
    """(M, d) grid indices -> (M,) values."""
    x = grid[idx]
    return (
        -20.0 * np.exp(-0.2 * np.sqrt(np.mean(x**2, axis=1)))
        - np.exp(np.mean(np.cos(2 * np.pi * x), axis=1))
        + 20.0
        + np.e
    )


result = tt_cross(ackley, [n] * d, tol=1e-6, seed=0)
print(f"stop reason: {result.stop_reason}, converged: {result.converged}")
print(f"ranks: {result.tt.ranks}")
print(f"evaluations: {result.n_evals:,} of {n**d:.2e} entries")
print(f"held-out relative error: {result.error_estimate:.2e}")

rng = np.random.default_rng(1)
check = rng.integers(0, n, size=(2000, d))
exact = ackley(check)
error = np.linalg.norm(result.tt.evaluate(check) - exact) / np.linalg.norm(exact)
print(f"independent check on 2000 random entries: {error:.2e}")
