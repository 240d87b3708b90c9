"""Loss and exact gradient of the refinement: every window's values, its head, reverse mode.

Model and trace. The model value of a string ``s`` is ``X(s) / X(0..0)``: the tensor train is
normalised by its own trace. In window ``j``, with ``L_j`` the cores left of it contracted with
``e_0`` and ``R_{j+w}`` likewise on the right, ``A_j(q) = L_j G_j[q_1] ... G_{j+w-1}[q_w]
R_{j+w}`` (4^w,) and ``X(s) / X(0..0) = A_j(q) / A_j(0..0)``: the environments' scale factors
cancel, so they are renormalised freely.

The environments and window values are tensor-train kernels of :mod:`ttcross.environments`;
their reverse modes are written out by hand, O(n 4^w chi^2) per evaluation. Complex cores go
through the same linear maps (holomorphic transposes).
"""

from __future__ import annotations

import numpy as np

from ttcross.environments import (
    vector_environments,
    vector_environments_vjp,
    window_values,
    window_values_vjp,
)


def evaluate(model, head, x: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Training loss, holdout loss and the gradient in the parameters at ``x``.

    Parameters
    ----------
    model : _PauliModel or _PurifiedModel
    head : _LsqHead or _CountsHead
    x : ndarray, shape (n_params,)

    Returns
    -------
    train_loss, holdout_loss : float
    gradient : ndarray, shape (n_params,)
    """
    train, hold, core_bars = _loss_and_gradient(model.cores(x), head)
    return train, hold, model.gradient(x, core_bars)


def _loss_and_gradient(cores: list[np.ndarray], head) -> tuple[float, float, list[np.ndarray]]:
    """Training loss, holdout loss and the cotangents of the training loss on the cores.

    Parameters
    ----------
    cores : list of ndarray, each (r[k], 4, r[k+1]), real or complex
        Complex cores must give a real Pauli tensor (the purified form); their cotangents
        are holomorphic transposes (``J^T bar``, no conjugation).
    head : _LsqHead or _CountsHead

    Returns
    -------
    train_loss : float
    holdout_loss : float
        NaN when nothing is held out.
    core_bars : list of ndarray, shapes as ``cores``
    """
    n, w = len(cores), head.window
    dtype = np.result_type(*cores)
    left, left_logs = vector_environments(cores, from_left=True)
    right, right_logs = vector_environments(cores, from_left=False)
    left_bar = [np.zeros(e.shape, dtype) for e in left]
    right_bar = [np.zeros(e.shape, dtype) for e in right]
    grads = [np.zeros(c.shape, dtype) for c in cores]
    train = hold = 0.0
    for j in range(n - w + 1):
        part_train, part_hold, env_bar, core_bars, far_bar = _window_pass(
            left[j], cores[j : j + w], right[j + w], head, j
        )
        train += part_train
        hold += part_hold
        left_bar[j] += env_bar
        right_bar[j + w] += far_bar
        for t, core_bar in enumerate(core_bars):
            grads[j + t] += core_bar
    chains = [
        vector_environments_vjp(cores, left, left_logs, left_bar, from_left=True)[0],
        vector_environments_vjp(cores, right, right_logs, right_bar, from_left=False)[0],
    ]
    for chain in chains:
        for grad, chain_bar in zip(grads, chain, strict=True):
            grad += chain_bar
    hold = hold / head.n_holdout if head.n_holdout else float("nan")
    return train / head.n_train, hold, grads


def _window_pass(left, window_cores, right, head, j: int):
    """Forward and reverse pass of one window.

    ``A(q) = left G_1[q_1] ... G_w[q_w] right`` (4^w,), model ``Y = Re(A / A[0])``; returns
    the head's train and holdout sums, and the derivatives of the train loss w.r.t. ``left``
    (r,), the window cores and ``right`` (r',).
    """
    local, tape = window_values(left, window_cores, right)  # (4^w,), C order
    model = local / local[0]
    train, hold, model_bar = head(j, np.real(model).copy())
    local_bar = model_bar / local[0]
    local_bar[0] -= (model_bar @ model) / local[0]
    left_bar, core_bars, right_bar = window_values_vjp(tape, local_bar)
    return train, hold, left_bar, core_bars, right_bar
