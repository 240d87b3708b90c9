"""Draw the figures of the tutorial (docs/tutorial.md) into docs/figures/.

Schematics (no computation): the Pauli tensor train, the periodic settings and their windows,
the cross across one cut, the regularised inverse. Plots from one small run (n = 10, depth-2
Haar brickwork, p2 = 0.01, window 5; exact data and 1000, 3000, 10000 shots per setting):
the intersection matrix W_k, the singular values per cut against the shot-noise level, the
rank kept per cut, and the fidelity of every 3-qubit marginal along the chain.

Needs matplotlib (in the ``bench`` extra). Run from the repository root (about 30 s on one
core)::

    python docs/figures/make_figures.py
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Circle, FancyBboxPatch  # noqa: E402

from tomography.circuits import brickwork  # noqa: E402
from tomography.measure import ExactExpectations, MeasurementDesign, measure  # noqa: E402
from tomography.metrics import fidelity, local_fidelities  # noqa: E402
from tomography.noise import depolarizing  # noqa: E402
from tomography.reconstruct import reconstruct  # noqa: E402
from tomography.simulate import simulate  # noqa: E402

OUT = Path(__file__).resolve().parent
DPI = 110
N, DEPTH, WINDOW, SEED = 10, 2, 5, 1
SHOTS = (1000, 3000, 10_000)
BLUE, ORANGE, GREEN, GREY, RED = "#1f77b4", "#ff7f0e", "#2ca02c", "#7f7f7f", "#d62728"
FLOOR = 1e-6
LEVEL_COLORS = {"exact": "black", 10_000: BLUE, 3000: GREEN, 1000: ORANGE}


# ---------------------------------------------------------------------- schematics
def _core(ax, x, y, label, color="white", edge="black", radius=0.32):
    ax.add_patch(Circle((x, y), radius, facecolor=color, edgecolor=edge, lw=1.5, zorder=3))
    ax.text(x, y, label, ha="center", va="center", fontsize=10, zorder=4)


def _bare(ax, xlim, ylim):
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")


def pauli_tensor_train() -> None:
    """Chain of cores G_k[p_k], bonds r_k, legs p_k in {I, X, Y, Z}."""
    n = 7
    fig, ax = plt.subplots(figsize=(8, 2.6))
    _bare(ax, (-0.8, n - 0.2), (-1.6, 1.25))
    for k in range(n):
        label = f"$G_{{{k + 1}}}$" if k < n - 2 else ("$\\cdots$" if k == n - 2 else "$G_n$")
        if k == n - 2:
            ax.text(k, 0, "$\\cdots$", ha="center", va="center", fontsize=14)
        else:
            _core(ax, k, 0, label, color="#dbe9f6")
            ax.plot([k, k], [-0.32, -0.9], color="black", lw=1.5)
            p = f"$p_{{{k + 1}}}$" if k < n - 1 else "$p_n$"
            ax.text(k, -1.15, p, ha="center", va="center", fontsize=11)
        if k < n - 1:
            ax.plot([k + 0.32, k + 0.68], [0, 0], color="black", lw=1.5)
            if k < n - 3:
                ax.text(k + 0.5, 0.22, f"$r_{{{k + 1}}}$", ha="center", fontsize=9, color=GREY)
    ax.text(
        (n - 1) / 2,
        0.85,
        "$X(p_1 \\ldots p_n) = \\mathrm{tr}(\\rho\\,\\sigma_{p_1} \\otimes \\cdots \\otimes "
        "\\sigma_{p_n}) = G_1[p_1]\\, G_2[p_2] \\cdots G_n[p_n]$",
        ha="center",
        fontsize=11,
    )
    ax.text(
        (n - 1) / 2,
        -1.55,
        "$p_k \\in \\{0,1,2,3\\} = \\{I, X, Y, Z\\}$; bond $r_k$ = MPO bond dimension of $\\rho$",
        ha="center",
        fontsize=9,
        color=GREY,
    )
    _save(fig, "pauli_tensor_train.png")


def settings_windows() -> None:
    """Three of the 3^w periodic settings (w = 3) on 12 qubits, and the sliding windows."""
    n, w = 12, 3
    settings = ["XYZ", "ZZX", "YXY"]
    colors = {"X": "#f4cccc", "Y": "#d9ead3", "Z": "#cfe2f3"}
    fig, ax = plt.subplots(figsize=(8, 3.4))
    _bare(ax, (-2.6, n + 0.2), (-3.3, 1.3))
    for q in range(n):
        ax.text(q, 1.0, f"{q}", ha="center", fontsize=8, color=GREY)
    ax.text(-0.7, 1.0, "qubit", ha="right", fontsize=8, color=GREY)
    for row, t in enumerate(settings):
        y = 0.3 - row * 0.75
        ax.text(-0.7, y, f"t = {t}", ha="right", va="center", fontsize=9, family="monospace")
        for q in range(n):
            b = t[q % w]
            box = FancyBboxPatch(
                (q - 0.32, y - 0.27),
                0.64,
                0.54,
                boxstyle="round,pad=0.02",
                facecolor=colors[b],
                edgecolor="black",
                lw=0.6,
            )
            ax.add_patch(box)
            ax.text(q, y, b, ha="center", va="center", fontsize=9, family="monospace")
    ax.text(n - 0.5, 0.3 - 2 * 0.75 - 0.55, f"... {3**w} settings in all", ha="right", fontsize=8)
    for i, start in enumerate((0, 4, 8)):
        y = -2.55 - 0.3 * (i % 2)
        ax.annotate(
            "",
            xy=(start - 0.35, y),
            xytext=(start + w - 0.65, y),
            arrowprops=dict(arrowstyle="|-|", color=BLUE, lw=1.2, mutation_scale=3),
        )
        ax.text(
            start + (w - 1) / 2,
            y - 0.32,
            f"window {start}..{start + w - 1}",
            ha="center",
            fontsize=8,
            color=BLUE,
        )
    ax.text(
        -0.7,
        -2.7,
        "any w consecutive\nqubits see all\n$3^w$ local bases",
        ha="right",
        va="center",
        fontsize=8,
        color=BLUE,
    )
    _save(fig, "settings_windows.png")


def cross_cut() -> None:
    """The fibre C_k and the intersection W_k across one cut, for l = 2 (w = 5)."""
    n, k, half = 11, 5, 2
    fig, ax = plt.subplots(figsize=(8, 3.0))
    _bare(ax, (-2.8, n), (-2.9, 1.5))
    rows = [
        ("fibre $C_k(a, p_k, b)$", range(k - half, k + half + 1), 0.5),
        ("intersection $W_k = X(I_k, J_k)$", range(k - half + 1, k + half + 1), -1.1),
    ]
    for title, sites, y in rows:
        ax.text(-0.7, y, title, ha="right", va="center", fontsize=9)
        for q in range(n):
            if title.startswith("fibre"):
                color = BLUE if q < k else (RED if q == k else ORANGE)
                if q not in sites:
                    color = "white"
            else:
                color = BLUE if (q in sites and q <= k) else ORANGE if q in sites else "white"
            face = "white" if color == "white" else color
            _core(ax, q, y, "", color=face, edge="black", radius=0.28)
            if color != "white":
                ax.patches[-1].set_alpha(0.55)
        if title.startswith("fibre"):
            ax.text(k - half, y + 0.5, "$a \\in I_{k-1}$", ha="left", fontsize=9, color=BLUE)
            ax.text(k, y + 0.5, "$p_k$", ha="center", fontsize=9, color=RED)
            ax.text(k + 1.5, y + 0.5, "$b \\in J_k$", ha="center", fontsize=9, color=ORANGE)
        else:
            ax.text(
                k - 0.5, y - 0.62, "$I_k$: all $4^l$ strings", ha="right", fontsize=9, color=BLUE
            )
            ax.text(
                k + 0.65, y - 0.62, "$J_k$: all $4^l$ strings", ha="left", fontsize=9, color=ORANGE
            )
    ax.plot([k + 0.5, k + 0.5], [-1.5, 0.85], color="black", ls="--", lw=1)
    ax.text(k + 0.5, 1.25, f"cut k (l = {half})", ha="center", fontsize=8)
    ax.text(
        (n - 1) / 2,
        -2.6,
        "$\\hat X = C_1 W_1^{+} C_2 W_2^{+} \\cdots W_{n-1}^{+} C_n$"
        "   (identity on every qubit outside the coloured ones)",
        ha="center",
        fontsize=10,
    )
    _save(fig, "cross_cut.png")


def regularization() -> None:
    """Filter factors of the regularised inverse of one singular value."""
    s = np.logspace(-2.5, 1, 400)
    tau = 0.1
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.loglog(s, 1 / s, color=GREY, ls=":", label="plain inverse $1/s$")
    ax.loglog(s, np.where(s > tau, 1 / s, np.nan), color=ORANGE, label="truncation at $\\tau$")
    ax.plot([tau, tau], [1 / tau, 1e-3], color=ORANGE)
    ax.text(tau * 0.9, 0.2, "0 below $\\tau$", ha="right", fontsize=8, color=ORANGE)
    ax.loglog(s, s / (s**2 + tau**2), color=BLUE, label="Tikhonov $s/(s^2+\\tau^2)$ (default)")
    ax.axvline(tau, color="black", lw=0.8, ls="--")
    ax.text(tau * 1.15, 0.07, "$\\tau_k$ = 0.75 x noise norm", fontsize=8)
    ax.set_xlabel("singular value $s$ of $W_k$")
    ax.set_ylabel("what $W_k^{+}$ applies")
    ax.set_ylim(0.05, 500)
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(alpha=0.3)
    _save(fig, "regularization.png")


# ---------------------------------------------------------------------- one small run
def tiny_run() -> tuple:
    """Exact state, then reconstructions from exact data and from three shot budgets."""
    truth = simulate(brickwork(N, DEPTH, seed=SEED), depolarizing(0.001, 0.01))
    design = MeasurementDesign(N, WINDOW)
    runs = {}
    for level in ("exact", *SHOTS):
        if level == "exact":
            data = ExactExpectations(truth, WINDOW)
        else:
            data = measure(truth, design, shots=level, seed=SEED)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = reconstruct(data)
        local = local_fidelities(result.state, truth, 3)
        runs[level] = (data, result, local, fidelity(truth, result.state))
    return truth, runs


def intersection_matrix(runs) -> None:
    """The measured W_k at the middle cut, exact and at 1000 shots, with its singular values."""
    k, half = N // 2 - 1, WINDOW // 2
    fig, axes = plt.subplots(
        1, 3, figsize=(10, 3.4), gridspec_kw={"width_ratios": [1, 1, 1.3]}, layout="constrained"
    )
    for ax, level in zip(axes[:2], ("exact", 1000), strict=True):
        data = runs[level][0]
        w = data.window_estimates(k - half + 1, 2 * half).mean.reshape(4**half, 4**half)
        image = ax.imshow(w, cmap="RdBu_r", vmin=-1, vmax=1)
        ax.set_title(
            f"$W_{{{k}}}$, {'exact' if level == 'exact' else f'{level} shots'}", fontsize=10
        )
        ax.set_xlabel("$J_k$: strings on qubits k+1, k+2", fontsize=8)
        ax.set_ylabel("$I_k$: strings on qubits k-1, k", fontsize=8)
        ticks = [0, 5, 10, 15]
        labels = ["II", "XX", "YY", "ZZ"]
        ax.set_xticks(ticks, labels, fontsize=7)
        ax.set_yticks(ticks, labels, fontsize=7)
    bar = fig.colorbar(image, ax=axes[1], shrink=0.8)
    bar.ax.set_title("tr($\\rho\\,\\sigma$)", fontsize=8)
    ax = axes[2]
    for level in ("exact", 1000):
        sv = runs[level][1].cuts[k].singular_values
        ax.semilogy(
            np.maximum(sv, 1e-17),
            "o-",
            ms=3,
            color=LEVEL_COLORS[level],
            label="exact" if level == "exact" else f"{level} shots",
        )
    ax.axhline(
        runs[1000][1].cuts[k].noise_norm,
        color=LEVEL_COLORS[1000],
        ls="--",
        lw=1,
        label="noise norm, 1000 shots",
    )
    ax.set_ylim(1e-17, 10)
    ax.set_xlabel("index")
    ax.set_xticks(range(0, 16, 3))
    ax.set_title("singular values of $W_k$", fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    _save(fig, "intersection_matrix.png", tight=False)


def singular_values(runs, truth) -> None:
    """Singular values of W_k at two cuts against the noise level; rank kept per cut."""
    cuts = (N // 2 - 2, N // 2 - 1)
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
    for ax, k in zip(axes[:2], cuts, strict=True):
        for level, (_, result, _, _) in runs.items():
            cut = result.cuts[k]
            color = LEVEL_COLORS[level]
            label = "exact data" if level == "exact" else f"{level} shots/setting"
            ax.semilogy(
                np.maximum(cut.singular_values, 1e-17), "o-", ms=2.5, lw=1, color=color, label=label
            )
            if level != "exact":
                ax.axhline(cut.noise_norm, color=color, ls="--", lw=0.8)
        ax.set_ylim(1e-6, 10)
        ax.set_title(f"cut {k}: true bond dimension {truth.bond_dims[k]}", fontsize=10)
        ax.set_xlabel("index of the singular value of $W_k$")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("singular value (dashed: noise norm)")
    axes[0].legend(fontsize=7, loc="lower left")
    ax = axes[2]
    positions = np.arange(N - 1)
    ax.step(
        positions,
        truth.bond_dims,
        where="mid",
        color=GREY,
        lw=3,
        alpha=0.5,
        label="true bond dimension",
    )
    for level, (_, result, _, _) in runs.items():
        ax.plot(
            positions,
            [cut.rank_above_noise for cut in result.cuts],
            "o-",
            ms=3,
            lw=1,
            color=LEVEL_COLORS[level],
            label=str(level),
        )
    ax.set_xlabel("cut k")
    ax.set_ylabel("singular values above the noise")
    ax.set_title("rank_above_noise per cut", fontsize=10)
    ax.set_ylim(0, 24)
    ax.legend(fontsize=6.5, loc="upper center", ncol=3)
    ax.grid(alpha=0.3)
    _save(fig, "singular_values.png")


def local_fidelity(runs) -> None:
    """Fidelity of every 3-qubit marginal along the chain, per noise level."""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    for level, (_, _, local, total) in runs.items():
        name = "exact data" if level == "exact" else f"{level} shots/setting"
        infidelity = 1 - local.fidelity
        if level == "exact":
            name += f" (< {FLOOR:.0e}, drawn at it)"
        ax.plot(
            local.starts,
            np.maximum(infidelity, FLOOR),
            "o-",
            ms=4,
            color=LEVEL_COLORS[level],
            label=f"{name}: F = {total:.3f}",
        )
    ax.set_yscale("log")
    ax.set_ylim(FLOOR / 2, 1)
    ax.set_xlabel("first qubit of the 3-qubit window")
    ax.set_ylabel("1 - fidelity of the marginal")
    ax.set_title(
        f"n = {N}, depth {DEPTH}, window {WINDOW}; F = fidelity of the whole state",
        fontsize=10,
    )
    ax.legend(fontsize=7, loc="upper left", ncol=2)
    ax.set_xticks(local.starts)
    ax.grid(alpha=0.3)
    _save(fig, "local_fidelity.png")


def _save(fig, name: str, *, tight: bool = True) -> None:
    if tight:
        fig.tight_layout()
    fig.savefig(OUT / name, dpi=DPI)
    plt.close(fig)
    print(f"wrote docs/figures/{name}")


def main() -> None:
    started = time.perf_counter()
    pauli_tensor_train()
    settings_windows()
    cross_cut()
    regularization()
    truth, runs = tiny_run()
    intersection_matrix(runs)
    singular_values(runs, truth)
    local_fidelity(runs)
    print(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
