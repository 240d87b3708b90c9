"""Noisy 1D circuit simulation in the Pauli tensor-train form.

Every gate and its noise act on the Pauli coefficients through one real Pauli transfer matrix
(PTM, from :func:`tomography.circuit_ops.circuit_to_ops`): a 4 x 4 matrix on one core, or a
16 x 16 matrix on two neighbouring cores followed by a truncated SVD. The tensor train is kept
in mixed canonical form with its orthogonality centre at the gate, so each truncation is
optimal in the Frobenius norm of the Pauli tensor, and its discarded weight is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from qiskit import QuantumCircuit
from qiskit_aer.noise import NoiseModel

from ttcross.canonical import CanonicalTrain
from ttcross.validation import check_int, check_real

from .circuit_ops import assignment_matrices, circuit_to_ops
from .state import PauliMPO

__all__ = ["simulate", "SimulationInfo"]


@dataclass
class SimulationInfo:
    """What :func:`simulate` truncated.

    Attributes
    ----------
    discarded_weights : list of float
        For each two-qubit gate that truncated, the discarded squared singular values relative
        to the squared norm of the two-site block.
    truncation_error : float
        Sum over truncations of the square roots of those weights: for unital noise, an upper
        bound on the relative error of the Pauli tensor in the truncation norm (Frobenius for
        ``nonidentity_weight=1``, the weighted norm otherwise).
    max_rank : int
        Largest bond dimension met during the run.
    n_gates : int
        Number of operations applied.
    trace_before_normalization : float
        ``X(0..0)`` before the result was divided by it: 1 up to round-off when nothing was
        truncated; truncation in the Frobenius norm of the Pauli tensor does not keep it.
    """

    discarded_weights: list[float] = field(default_factory=list)
    truncation_error: float = 0.0
    max_rank: int = 1
    n_gates: int = 0
    trace_before_normalization: float = 1.0


def _zero_state_cores(n: int, weight: np.ndarray) -> list[np.ndarray]:
    """Weighted Pauli cores of |0..0><0..0|: ``weight @ (e_I + e_Z)`` on every qubit.

    Parameters
    ----------
    n : int
        Number of qubits.
    weight : ndarray, shape (4, 4)
        Map applied to each one-qubit Pauli vector.

    Returns
    -------
    list of ndarray, each (1, 4, 1)
    """
    core = (weight @ np.array([1.0, 0.0, 0.0, 1.0])).reshape(1, 4, 1)
    return [core.copy() for _ in range(n)]


def simulate(
    circuit: QuantumCircuit,
    noise_model: NoiseModel | None = None,
    *,
    max_rank: int | None = None,
    tol: float = 1e-12,
    nonidentity_weight: float = 0.5,
    return_info: bool = False,
    progress: Callable[[int, int], object] | None = None,
) -> PauliMPO | tuple[PauliMPO, SimulationInfo]:
    """The state a noisy 1D circuit prepares from |0..0>, as a Pauli MPO.

    Parameters
    ----------
    circuit : qiskit.QuantumCircuit
        One- and two-qubit unitary gates, two-qubit gates between neighbours ``i, i+1`` (see
        :func:`tomography.circuit_ops.prepare_circuit` for what is accepted); final measurements
        and barriers are ignored.
    noise_model : qiskit_aer.noise.NoiseModel, optional
        Gate errors enter the state through their PTMs, as in Aer's density-matrix method;
        readout errors are not folded into the state but attached to it for sampling.
    max_rank : int, optional
        Cap on the bond dimension (the truncation is then reported, see ``return_info``).
    tol : float, default=1e-12
        Relative singular-value tail dropped at each two-qubit gate.
    nonidentity_weight : float, default=0.5
        Truncate in the norm where each Pauli string is weighted by this number to the power of
        its weight (the identity has weight 0). 1 is the Hilbert-Schmidt norm: at n = 10 it
        gives the best global overlap under a tight ``max_rank``, but at n = 100 (depth 10,
        cap 64) it keeps only 3e-6 of the trace and returns a purity of 65, because ~4^n
        high-weight strings dominate that norm. 0.5 keeps the trace (0.996 there) and the
        few-qubit marginals several times more accurate (``benchmarks/simulate_scale.md``,
        ``simulate_truncation.md``). Without truncation the result does not depend on it.
    return_info : bool, default=False
        Also return a :class:`SimulationInfo`.
    progress : callable, optional
        Called as ``progress(done, total)`` with the number of operations (gate with its
        noise) applied so far, before each one and once at the end, e.g. to drive a progress
        bar; its return value is ignored.

    Returns
    -------
    PauliMPO, or (PauliMPO, SimulationInfo)
        Normalised to trace 1 (the trace before that is in the info); ``truncation_error``
        set; ``assignment`` from the noise model.

    Raises
    ------
    ValueError
        Gates that are not unitary or not between neighbours, classical control, mid-circuit
        measurement (from ``circuit_to_ops``); ``max_rank < 1``; ``tol < 0``.
    """
    if max_rank is not None:
        max_rank = check_int(max_rank, "max_rank", minimum=1)
    tol = check_real(tol, "tol", minimum=0.0)
    weight = check_real(nonidentity_weight, "nonidentity_weight", minimum=0.0, strict=True)
    ops = circuit_to_ops(circuit, noise_model)  # checks the types of both arguments
    n = circuit.num_qubits
    # work on Y = (W x ... x W) X with W = diag(1, w, w, w): maps conjugate by W, and the
    # SVD truncation is then optimal in the weighted norm; W^-1 comes back at the end
    to_weighted = np.diag([1.0, weight, weight, weight])
    from_weighted = np.diag([1.0, 1.0 / weight, 1.0 / weight, 1.0 / weight])
    chain = CanonicalTrain(_zero_state_cores(n, to_weighted))
    info = SimulationInfo(n_gates=len(ops))
    # one-qubit maps wait in `pending` and join the next two-qubit map on their qubit, so that
    # the chain stays canonical (a one-qubit map on an orthonormal core would spoil it)
    pending = [np.eye(4) for _ in range(n)]
    for done, op in enumerate(ops):
        if progress is not None:
            progress(done, len(ops))
        if len(op.qubits) == 1:
            site = op.qubits[0]
            pending[site] = to_weighted @ op.ptm @ from_weighted @ pending[site]
            continue
        site = op.qubits[0]
        two_site = (
            np.kron(to_weighted, to_weighted) @ op.ptm @ np.kron(from_weighted, from_weighted)
        )
        ptm = two_site @ np.kron(pending[site], pending[site + 1])
        pending[site] = pending[site + 1] = np.eye(4)
        discarded = chain.apply_two_site(site, ptm, max_rank=max_rank, tol=tol)
        if discarded > 0:
            info.discarded_weights.append(discarded)
            info.truncation_error += float(np.sqrt(discarded))
        info.max_rank = max(info.max_rank, chain.ranks[site + 1])
    if progress is not None:
        progress(len(ops), len(ops))
    unweight = [from_weighted @ pending[site] for site in range(n)]
    state = PauliMPO(chain.to_tensor_train(unweight), truncation_error=info.truncation_error)
    info.trace_before_normalization = state.trace()
    assignment = assignment_matrices(noise_model, n) if noise_model is not None else None
    if assignment is not None and np.allclose(assignment, np.eye(2)):
        assignment = None
    state = state.normalized().with_assignment(assignment)
    return (state, info) if return_info else state
