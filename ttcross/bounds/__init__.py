"""Error bounds for TT cross approximation, computable from the sampled entries.

Setting. ``A`` is the order-d tensor the entries come from; at every cut ``k`` (between modes
``k`` and ``k+1``) the cross uses left indices ``I_k`` and right indices ``J_k`` and samples
fibres and intersections (possibly with noise ``Z``)::

    C_k = A(I_{k-1}, i_k, J_k) + Z,    W_k = A(I_k, J_k) + Z,
    A_hat = G_0 G_1 ... G_{d-1},       G_k = C_k X_k (k < d-1),   G_{d-1} = C_{d-1},

with ``X_k`` the regularised pseudo-inverse of ``W_k`` (``ttcross.interpolate``: hard cut-off
``rcond`` or Tikhonov ``tau``). Interfaces of the approximation at cut ``k``::

    Chat_k = C_0 X_0 C_1 ... X_{k-1} C_k     (N_{<=k} x r'_k)   the column block,
    Rhat_k = C_{k+1} X_{k+1} ... C_{d-1}     (r_k x N_{>k})     the row block,
    A_hat^{<k>} = Chat_k X_k Rhat_k.

For exact samples of a tensor ``T`` with ``rank T(I_k, J_k) = rank T^{<k>}`` at every cut these
are exactly ``T^{<k>}(:, J_k)`` and ``T^{<k>}(I_k, :)``, and ``T = A_hat`` (no nestedness needed).

The bound (:func:`cross_error_bound`). Assume a reference tensor ``T`` with

- (model) ``||A - T||_F <= model_error``, and ``T`` cross-exact on these index sets:
  ``rank T(I_k, J_k) = rank T^{<k>} = rho_k`` (``rho_k``: ``model_ranks``, by default the
  number of singular values the pseudo-inverse keeps);
- (samples) on every sampled block ``b`` (fibre or intersection) the samples differ from ``T``
  by ``D_b = (A - T)_b + Z_b`` with ``||D_b||_F <= delta_F[b]`` and ``||D_b||_2 <= delta_2[b]``:
  model part ``||(A - T)_b||_F <= sampled_model_error`` (default ``model_error``: always true)
  plus the noise part (deterministic from ``noise_max``, or with probability ``>= confidence``
  for independent Gaussian noise of known ``noise_std``).

Then ``||A - A_hat||_F <= model_error + min(balanced, sequential)``. With ``G^T_k = C^T_k
(W^T_k)^+`` the cores of ``T`` (``T = G^T_0 ... G^T_{d-1}`` by cross-exactness) and leaf
bounds ``e(k) >= ||G_k - G^T_k||_F`` (Wedin's theorem for the perturbed pseudo-inverse, plus
the identity ``C^T_k = C^T_k (W^T_k)^+ W^T_k``):

- balanced split (*): for the segment ``S = [a..b]`` of cores, halves ``S1 = [a..m]``,
  ``S2 = [m+1..b]``, ``L1 R1 - L0 R0 = (L1 - L0) R1 + L0 (R1 - R0)`` gives::

      e(S) <= e(S1) n(S2) + n(S1) e(S2) + e(S1) e(S2)

  (``n``: spectral norms of the approximation's segments, ``G_a ... G_m`` as a
  ``(r_{a-1} N) x r_m`` matrix and ``G_{m+1} ... G_b`` as ``r_m x (N r_b)``). In relative
  terms (``eps = e / n``) ``eps(S) <= kappa_S ((1 + eps(S1))(1 + eps(S2)) - 1)`` with
  ``kappa_S = n(S1) n(S2) / n(S)``, so with ``kappa = max kappa_S``, leaf errors ``<= eps_0``
  and depth ``L = ceil(log2 d)`` the relative error is at most ``(3 kappa)^L eps_0`` while it
  stays below one: polynomial in ``d``, the growth the paper (arXiv:2207.04327) proves in its
  ``((3 kappa)^L - 1) / (3 kappa - 1)`` form under its own assumptions (exact low rank and
  constants of the unknown low-rank part, which no sample reveals);
- telescoping (**): ``A_hat - T = sum_k G_{<k} (G_k - G^T_k) G^T_{>k}`` and, with
  ``W0_k = T(I_k, J_k)``, ``G^T_{>k} = W0_k W0_k^+ G^T_{>k}`` (cross-exactness), so each term
  is bounded either by ``||G_{<k}||_2 ||(G_k - G^T_k) Pi_k||_F ||G^T_{>k}||_2`` (``Pi_k``:
  projector onto range W0_k; copes with Tikhonov on oversampled sets) or by
  ``||G_{<k}||_2 ||(G_k - G^T_k) W0_k||_F ||W0_k^+ G^T_{>k}||_2``, whose middle factor is
  first order in the perturbation with no ``1 / s_min(W_k)`` (a condition number tighter).
  The unknown norms of ``G^T_{>k}`` are those of the approximation plus the same sum over
  the suffix. Each leaf gets interface norms as coefficients instead of a product over
  levels: usually the tighter of the two forms.

Cost: the telescoping sum needs the norms of every segment ``G_k ... G_{i-1}``; exact ones are
computed up to ``segment_length`` cores and longer segments are bounded by splitting
(``||G_k..G_{i-1}|| <= ||G_k..G_{m-1}|| ||G_m..G_{i-1}||``), O(d L) in all; the balanced
split likewise bounds its nodes longer than L by their halves, O(d log L).
benchmarks/bound_segments.py measures the loss (none at L >= d; <= 2% at the default 16 for
orders up to 20).

Under shot noise the rigorous bound may not be resolved (noise at the level of singular
values the inverse keeps); ``cross_error_bound(unresolved="estimate")`` then reports a
linearised estimate instead, flagged ``rigorous=False`` with the reason (see there).

What is not possible: no function of the samples and of ``||A - A_r||`` alone bounds the
error. ``A = diag(M, eps)`` sampled at ``(1, 1)`` gives the samples of ``diag(0, eps)`` for
every ``M``; the best rank-1 part ``diag(M, 0)`` is invisible to the sets. The cross-exactness
of ``T`` is the assumption that excludes this; it is checked by :func:`model_error_from_tensor`
when the full tensor is known, and is otherwise the caller's to state.

Layout (every name below is re-exported here: ``from ttcross.bounds import cross_error_bound``):

- :mod:`ttcross.bounds.cross_bound`: the tensor bound, :func:`cross_error_bound` and
  :class:`CrossBound`, and ``SEGMENT_LENGTH``;
- :mod:`ttcross.bounds.statistics`: statistics of the samples (:func:`pinv_stats`,
  :func:`sample_count`, :func:`interface_norms`, :func:`noise_bounds`) and the factors
  :func:`geometric_factor`, :func:`paper_factor`;
- :mod:`ttcross.bounds.perturbation`: Wedin's bound for one pseudo-inverse,
  :func:`pinv_perturbation_bound`, and the leaf bounds built on it;
- :mod:`ttcross.bounds.dense`: reference quantities that need the full tensor
  (:class:`ModelError`, :func:`model_error_from_tensor`, :func:`matrix_cross_bound`, ...).

References: arXiv:2207.04327 (Qin, Lidiak, Gong, Tang, Wakin, Zhu, NeurIPS 2022); P.-A. Wedin,
BIT 13 (1973) (perturbation of pseudo-inverses); B. Laurent, P. Massart, Ann. Statist. 28
(2000) (chi-square tails); D. Szyld, Numer. Algorithms 42 (2006) (``||P|| = ||I - P||``).
"""

from .cross_bound import SEGMENT_LENGTH, CrossBound, cross_error_bound
from .dense import (
    ModelError,
    matrix_cross_bound,
    model_error_from_tensor,
    oblique_projectors,
    unfolding_tails,
)
from .perturbation import WEDIN_FROBENIUS, WEDIN_SPECTRAL, pinv_perturbation_bound
from .statistics import (
    InterfaceNorms,
    PinvStats,
    geometric_factor,
    interface_norms,
    noise_bounds,
    paper_factor,
    pinv_stats,
    sample_count,
)

__all__ = [
    "PinvStats",
    "InterfaceNorms",
    "ModelError",
    "CrossBound",
    "SEGMENT_LENGTH",
    "WEDIN_SPECTRAL",
    "WEDIN_FROBENIUS",
    "pinv_stats",
    "sample_count",
    "interface_norms",
    "oblique_projectors",
    "matrix_cross_bound",
    "pinv_perturbation_bound",
    "noise_bounds",
    "unfolding_tails",
    "model_error_from_tensor",
    "geometric_factor",
    "paper_factor",
    "cross_error_bound",
]
