"""ttcross: tensor trains and TT cross approximation (no quantum physics in here)."""

from . import bounds
from .bounds import CrossBound, cross_error_bound
from .cross import CROSS_METHODS, STOP_REASONS, CrossResult, SweepRecord, tt_cross
from .interpolate import (
    IllConditionedWarning,
    PinvInfo,
    assemble_cross,
    cross_interpolate,
    cross_matrices,
    regularized_pinv,
)
from .maxvol import maxvol, rect_maxvol
from .tensortrain import TensorTrain

__all__ = [
    "TensorTrain",
    "tt_cross",
    "CrossResult",
    "SweepRecord",
    "CROSS_METHODS",
    "STOP_REASONS",
    "IllConditionedWarning",
    "PinvInfo",
    "assemble_cross",
    "cross_interpolate",
    "cross_matrices",
    "regularized_pinv",
    "maxvol",
    "rect_maxvol",
    "bounds",
    "CrossBound",
    "cross_error_bound",
]
