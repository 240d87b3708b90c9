"""TT cross on a black-box function (no quantum): a 30-dimensional Ackley function on a grid.

Then, for the figure, two rank sweeps (``tt_cross`` with ``max_rank = r``):

- d = 30, 16 points per axis (1.3e36 entries): relative error on held-out entries (what
  ``tt_cross`` reports) and on 2000 independent random entries, against the evaluations used;
- d = 6, 8 points per axis (262,144 entries, small enough to hold in full): the true error of
  the cross on the final index sets, ``||A - A_hat||_F / ||A||_F``, against the rigorous
  upper bound of :func:`ttcross.bounds.cross_error_bound` (the model error from
  :func:`ttcross.bounds.model_error_from_tensor`, model rank r, which needs the full tensor).
  The bound holds but is loose here, by 5 to 11 orders of magnitude (printed as bound/true):
  ``tt_cross`` oversamples its index sets beyond the rank r, the extra intersection singular
  values are tiny, and the perturbation theory pays for them; ``inf`` (not drawn) means the
  data violate one of its assumptions (an unresolved rank). The cross itself is far better
  than what the bound can certify.

Run: python examples/ttcross_function.py [--quick] [--out PATH]
Full run: about 30 s on a shared 2-core machine (measured under load); --quick: ~5 s.
"""

import argparse
import warnings
from pathlib import Path

import numpy as np

from ttcross import IllConditionedWarning, assemble_cross, cross_matrices, tt_cross
from ttcross.bounds import cross_error_bound, model_error_from_tensor

DEFAULT_OUT = Path(__file__).resolve().parent / "figures" / "ttcross_function.png"

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--quick", action="store_true", help="ranks 1..3 in the sweeps")
parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="figure path (.png)")
args = parser.parse_args()
max_sweep_rank = 3 if args.quick else 9


def ackley_on(grid: np.ndarray):
    def ackley(idx: np.ndarray) -> np.ndarray:
        """(M, d) grid indices -> (M,) values."""
        x = grid[idx]
        return (
            -20.0 * np.exp(-0.2 * np.sqrt(np.mean(x**2, axis=1)))
            - np.exp(np.mean(np.cos(2 * np.pi * x), axis=1))
            + 20.0
            + np.e
        )

    return ackley


d, n = 30, 16
ackley = ackley_on(np.linspace(-2.0, 2.0, n))

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

# ------------------------------------------------------------------ rank sweeps, for the figure
ranks = list(range(1, max_sweep_rank + 1))
print(f"\nd = {d}, n = {n}: rank sweep")
print(f"{'rank':>4} {'evaluations':>11} {'held-out err':>12} {'check err':>10}")
sweep = []
for r in ranks:
    res = tt_cross(ackley, [n] * d, tol=1e-12, max_rank=r, seed=0)
    err = np.linalg.norm(res.tt.evaluate(check) - exact) / np.linalg.norm(exact)
    sweep.append((res.n_evals, res.error_estimate, err))
    print(f"{r:>4} {res.n_evals:>11,} {res.error_estimate:>12.2e} {err:>10.2e}")

d_small, n_small = 6, 8
small = ackley_on(np.linspace(-2.0, 2.0, n_small))
full = small(np.indices([n_small] * d_small).reshape(d_small, -1).T).reshape([n_small] * d_small)
norm = np.linalg.norm(full)
print(f"\nd = {d_small}, n = {n_small} (full tensor known): true error against the bound")
print(f"{'rank':>4} {'evaluations':>11} {'true error':>10} {'bound':>9} {'bound/true':>10}")
bounded = []
for r in ranks:
    res = tt_cross(small, [n_small] * d_small, tol=1e-12, max_rank=r, seed=0)
    fibres, intersections = cross_matrices(small, full.shape, res.left_sets, res.right_sets)
    with warnings.catch_warnings():  # oversampled sets: ill-conditioned W_k, expected here
        warnings.simplefilter("ignore", IllConditionedWarning)
        approx, _ = assemble_cross(fibres, intersections)
    true = float(np.linalg.norm(full - approx.full())) / norm
    model = model_error_from_tensor(full, r, res.left_sets, res.right_sets)
    bound = cross_error_bound(fibres, intersections, **model.bound_kwargs()).value / norm
    bounded.append((res.n_evals, true, bound))
    print(f"{r:>4} {res.n_evals:>11,} {true:>10.2e} {bound:>9.2e} {bound / true:>10.3g}")

# the figure (needs matplotlib: pip install ttqst[plot])
from matplotlib.figure import Figure  # noqa: E402

fig = Figure(figsize=(11, 4), layout="constrained")
left, right = fig.subplots(1, 2)
evals = [s[0] for s in sweep]
left.loglog(evals, [s[1] for s in sweep], marker="o", label="held-out estimate")
left.loglog(evals, [s[2] for s in sweep], marker="s", label="2000 independent entries")
for r, x, y in zip(ranks, evals, [s[2] for s in sweep], strict=True):
    left.annotate(f"r={r}", (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
left.set(xlabel="evaluations", ylabel="relative error", title=f"Ackley, d = {d}, n = {n}")
left.grid(True, alpha=0.3)
left.legend()
finite = [(r, b) for r, (_, _, b) in zip(ranks, bounded, strict=True) if np.isfinite(b)]
right.semilogy(ranks, [b[1] for b in bounded], marker="o", label="true error (full tensor)")
right.semilogy(
    [f[0] for f in finite],
    [f[1] for f in finite],
    marker="^",
    linestyle="--",
    label="rigorous bound (cross_error_bound)",
)
right.set(
    xlabel="max rank",
    ylabel="relative error  ||A - A_hat|| / ||A||",
    title=f"Ackley, d = {d_small}, n = {n_small}",
)
right.grid(True, alpha=0.3)
right.legend()
args.out.parent.mkdir(parents=True, exist_ok=True)
fig.savefig(args.out, dpi=90)
print(f"figure: {args.out}")
