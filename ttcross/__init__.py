"""ttcross: tensor trains and TT cross approximation (no quantum physics in here)."""

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
    "IllConditionedWarning",
    "PinvInfo",
    "assemble_cross",
    "cross_interpolate",
    "cross_matrices",
    "regularized_pinv",
    "maxvol",
    "rect_maxvol",
]
