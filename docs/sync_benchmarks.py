"""Build docs/benchmarks.md from benchmarks/results/ and copy the figures it and docs/examples.md
show into docs/.

mkdocs serves only files under docs/, so the PNGs of benchmarks/results/ are copied to
docs/figures/benchmarks/ and those of examples/figures/ to docs/figures/examples/ (the
examples page itself is written by hand). Each result gets a short summary (written here, by
hand: update it when a benchmark's conclusion changes), its figure when there is one, and its
full markdown table in a collapsed block (copied verbatim, headings demoted). A result file
without a summary here still appears, with its table only; a summary without a result file is
an error.

Run from the repository root after rerunning a benchmark or an example (takes well under a
second)::

    python docs/sync_benchmarks.py
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DOCS = ROOT / "docs"
FIGURES = DOCS / "figures" / "benchmarks"
PAGE = DOCS / "benchmarks.md"
EXAMPLE_SOURCES = ROOT / "examples" / "figures"
EXAMPLE_FIGURES = DOCS / "figures" / "examples"

# stem -> (title, summary); the order here is the order on the page
SUMMARIES: dict[str, tuple[str, str]] = {
    "tomography_budget": (
        "Fidelity at a fixed budget of copies",
        "The headline numbers: Uhlmann fidelity of the cross estimate (made physical) at 2.4e6 "
        "copies, Haar brickwork with p2 = 0.01, three seeds, against the numpy prototype of "
        "the method note. Depth 2: 0.955 / 0.963 at n = 8 and 0.903 / 0.942 at n = 12 "
        "(window 5 / window 7); depth 4 with window 7: 0.880 (n = 8) and 0.793 (n = 12). "
        "Every row matches or beats the prototype. The rigorous bound is not resolved at "
        "these shot counts; `reconstruct` reports a flagged linearised estimate instead (see "
        "the coverage result below and [Limits](limits.md)).",
    ),
    "refine_budget": (
        "Refinement on the same data",
        "`refine(reconstruct(data).state, data)`: maximum likelihood of the raw counts with a "
        "positive semidefinite purified model (rho = L L^dagger, Kraus dimension 4), started "
        "from the cross estimate, stopped on 10% held-out shots. At the same 2.4e6 copies it keeps "
        "20-36% of the cross estimate's infidelity: depth 2, n = 12: 0.903 -> 0.982 (window "
        "5) and 0.942 -> 0.984 (window 7); depth 4, window 7, n = 12: 0.793 -> 0.928. Fits "
        "without positivity (least squares or likelihood on the Pauli cores) change the "
        "fidelity by less than 0.01 or overfit. A random start reaches about the same "
        "fidelity in 1.5-3x the iterations. At n = 50 the default refinement takes 3.5-4.2x "
        "the cross step.",
    ),
    "bound_coverage": (
        "Coverage of the reported bound under shot noise",
        "Where shot noise reaches singular values the estimate keeps, the rigorous bound is "
        "not resolved; the reported value is then a linearised estimate (`bound.rigorous` "
        "False, `bound.reason` says so). On 30 runs (n = 6, 8; 10^3..10^4 shots) it was finite "
        "in 28 and above the true error in all 28, median 7.8x the error.",
    ),
    "tomography_scaling": (
        "Fidelity against n and against shots",
        "Depth 2, window 5. At 10^4 shots per setting the global fidelity falls roughly "
        "linearly in n (infidelity slope ~0.014 per qubit), as it must for a product of local "
        "errors, while every 3-qubit marginal stays above 0.995 up to n = 100. At n = 10 the "
        "infidelity falls as shots^-0.18 from 100 to 10^5 shots per setting.",
    ),
    "reconstruct_time": (
        "Reconstruction time against n",
        "Linear in n, with and without the bound: t(1000)/t(100) = 11.3 without and 10.8 with "
        "it (log-log slopes 1.05 and 1.03; about 2 and 3.6 ms per qubit on a loaded 2-core "
        "machine); sampling the data costs more than reconstructing from it. The local "
        "(3-qubit marginal) fidelity does not depend on n.",
    ),
    "model_error": (
        "Model error on exact data: window against depth",
        "Exact expectations (infinitely many shots). Depth 2 is recovered exactly (trace "
        "distance ~1e-14) with windows 5, 7 and 9 once the rank cap reaches the true bond "
        "dimension 16. Depth 4 needs window 9 (= 2 depth + 1) for exact recovery; with windows "
        "5 and 7 (no rank cap) the fidelity is 0.11-0.89 and `WindowTooNarrowWarning` is "
        "issued. This is the table behind the rule `w >= 2 depth + 1` of [Limits](limits.md).",
    ),
    "tomography_vs_qiskit": (
        "Against qiskit-experiments StateTomography",
        "At n = 5 and 6 and equal copies. The cross step alone (243 settings) is within 0.012 "
        "of qiskit-experiments' cvxpy fit (3^n settings) at n = 5 and above it at n = 6 "
        "(cvxpy measured once by hand there: it needs ~22 GiB); refined on the same counts "
        "(`refine`) it beats both fitters: n = 5: 0.985 against 0.979 (cvxpy) and 0.957 "
        "(linear inversion); n = 6: 0.989 against 0.964 and 0.944, in a fraction of the time.",
    ),
    "bound_budget": (
        "The reported bound at the 2.4e6-copy budget",
        "The value `reconstruct` reports, against the true error, at the budgets of the "
        "headline benchmark: for depth 2 (windows 5 and 7, n = 8 and 12) it is the flagged "
        "linearised estimate, finite in every run and 7-12x the true error; for depth 4 with "
        "window 7 (narrower than the light cone) it is not finite in 5 of 6 runs, with the "
        "reason given.",
    ),
    "simulate_vs_aer": (
        "The simulator against Aer",
        "The Pauli-MPO simulator agrees with Aer's density matrix to ~1e-14 (trace distance) "
        "and is 150-690x faster at n = 12 and 2400-6700x at n = 14. At n = 30, truncated MPOs "
        "with `nonidentity_weight=0.5` beat Aer's MPS trajectories in accuracy per second.",
    ),
    "simulate_scale": (
        "The simulator at n = 100",
        "Depth 10, bond caps 64 and 128: 5-27 s. With `nonidentity_weight=1.0` the truncation "
        "destroys the trace (0.0002-3e-6); with 0.5 the trace stays at 0.996-0.999 and the "
        "3-qubit marginals of the two caps agree to 2e-2 (trace distance).",
    ),
    "simulate_truncation": (
        "Truncation: bond cap against nonidentity_weight",
        "n = 10, depth 6 (exact bond 1024). A weight below 1 keeps the trace and the local "
        "marginals (best at 0.5) while a weight of 1 keeps the global overlap and fidelity: "
        "choose by the quantity you need.",
    ),
    "bond_vs_depth": (
        "Bond dimension against depth",
        "n = 40. Without truncation the bond grows as 4^depth; truncated (tol 0.01, "
        "`nonidentity_weight=0.5`) it rises, peaks and falls again with depth, earlier for "
        "stronger noise (p2 = 0.05: peak 105 at depth 6-7, down to 1 by depth 20), as Noh, "
        "Jiang and Fefferman predict "
        "(arXiv:2003.13163).",
    ),
    "ttcross_vs_teneva": (
        "`tt_cross` against `teneva.cross`",
        "Seven problems, same held-out stop rule: 0.18-0.8x the evaluations and 0.09-0.31x "
        "the time of teneva, at equal or better worst-case error.",
    ),
    "sweep_scaling": (
        "Sweeps on Dask: serial against 2 local workers",
        "`run_sweep` on 32 reconstructions (n = 8-12, about 1.2 s each): 2 local workers "
        "1.86x faster than the serial mode (goal 1.7x), with identical numbers; scheduling "
        "overhead 7 ms per run on trivially small runs, 0.7% of a 1 s run (goal 5%). Taken "
        "on the shared 2-core box while it was nearly idle (load average 1.0); an earlier "
        "run while other jobs kept the load at 5-6 gave 0.77x (two processes then got no "
        "more CPU than one).",
    ),
}

#: results with a figure but no markdown table (summary written from their JSON)
FIGURE_ONLY = {"bounds_vs_order": "Error bounds against the true error"}


def _demote(markdown: str, levels: int = 2) -> str:
    """Push every ATX heading down ``levels`` levels (capped at h6); drop the title line."""
    lines = markdown.strip().splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    out = []
    for line in lines:
        match = re.match(r"^(#+) (.*)$", line)
        if match:
            depth = min(len(match.group(1)) + levels, 6)
            line = "#" * depth + " " + match.group(2)
        out.append(line)
    return "\n".join(out).strip()


def _escape_cells(markdown: str) -> str:
    """Escape ``|x|`` (absolute values) inside table rows so that they stay in one cell."""
    return re.sub(r"(?<=\w )\|(\w+)\|(?= )", r"\\|\1\\|", markdown)


def _indent(text: str) -> str:
    return "\n".join(("    " + line) if line.strip() else "" for line in text.splitlines())


def _figure(stem: str, title: str, copy: bool) -> str:
    source = RESULTS / f"{stem}.png"
    if not source.exists():
        return ""
    if copy:
        FIGURES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, FIGURES / source.name)
    return f"![{title}](figures/benchmarks/{source.name})\n\n"


def _bounds_summary() -> str:
    data = json.loads((RESULTS / "bounds_vs_order.json").read_text())
    s = data["summary"]

    def ratio(key: str) -> str:
        r = s[key]
        return (
            f"bound / true error {r['ratio_min']:.1f} to {r['ratio_max']:.3g} "
            f"(median {r['ratio_median']:.1f}), finite in {r['finite']} of {r['cases']} cases"
        )

    return (
        f"{data['description']} Random TTs of rank {data['rank']}, error level "
        f"{data['level']:g}, five seeds. The bound was never below the true error. With "
        f"maxvol index sets it stays within a small factor of the true error at every order:\n\n"
        f"- model error, worst case: {ratio('maxvol/model_bound_worst')};\n"
        f"- model error, sampled part known: {ratio('maxvol/model_bound_known')};\n"
        f"- noise (95% confidence): {ratio('maxvol/noise_bound')}.\n\n"
        f"With random index sets the true error grows and the bound grows much faster "
        f"(noise: {ratio('random/noise_bound')}): the reason the sets are chosen by maxvol, "
        f"or taken whole.\n\n"
    )


def build_page(*, copy_figures: bool = True) -> str:
    """The page's markdown; with ``copy_figures`` also copy the PNGs it shows into docs/."""
    stems = sorted(p.stem for p in RESULTS.glob("*.md"))
    missing = set(SUMMARIES) - set(stems)
    if missing:
        raise SystemExit(f"summaries for results that do not exist: {sorted(missing)}")
    ordered = [s for s in SUMMARIES if s in stems] + [s for s in stems if s not in SUMMARIES]
    parts = [
        "<!-- generated by docs/sync_benchmarks.py from benchmarks/results/: do not edit -->\n",
        "# Benchmarks\n",
        "Every benchmark is a script in `benchmarks/` that writes its results (JSON, a markdown "
        "table and sometimes a figure) to `benchmarks/results/`; the machine, the load and the "
        "command line are stated in each table. This page summarises them; open a block for "
        "the full table. Regenerate it with `python docs/sync_benchmarks.py` after rerunning a "
        "benchmark.\n",
    ]
    for stem in ordered:
        title, summary = SUMMARIES.get(stem, (stem.replace("_", " ").capitalize(), ""))
        table = _escape_cells(_demote((RESULTS / f"{stem}.md").read_text(encoding="utf-8")))
        parts.append(f"## {title}\n")
        if summary:
            parts.append(summary + "\n")
        parts.append(_figure(stem, title, copy_figures))
        parts.append(
            f'??? info "Full results: `benchmarks/results/{stem}.md` '
            f'(script `benchmarks/{stem}.py`)"\n\n{_indent(table)}\n'
        )
    for stem, title in FIGURE_ONLY.items():
        if (RESULTS / f"{stem}.json").exists():
            parts.append(f"## {title}\n")
            parts.append(_bounds_summary())
            parts.append(_figure(stem, title, copy_figures))
            parts.append(
                f"Data: `benchmarks/results/{stem}.json` (script `benchmarks/{stem}.py`).\n"
            )
    return "\n".join(parts).rstrip() + "\n"


def copy_example_figures() -> list[Path]:
    """Copy every PNG of examples/figures/ to docs/figures/examples/; return the copies."""
    EXAMPLE_FIGURES.mkdir(parents=True, exist_ok=True)
    copies = []
    for source in sorted(EXAMPLE_SOURCES.glob("*.png")):
        shutil.copyfile(source, EXAMPLE_FIGURES / source.name)
        copies.append(EXAMPLE_FIGURES / source.name)
    return copies


def main() -> int:
    PAGE.write_text(build_page(), encoding="utf-8")
    examples = copy_example_figures()
    print(
        f"wrote {PAGE.relative_to(ROOT)} and {len(list(FIGURES.glob('*.png')))} benchmark "
        f"figures; copied {len(examples)} example figures to "
        f"{EXAMPLE_FIGURES.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
