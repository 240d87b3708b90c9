"""tomography: MPO state tomography of noisy 1D circuits by TT cross (arXiv:2207.06397).

The pipeline, in the order it runs::

    from tomography import MeasurementDesign, compare, measure, reconstruct, refine, simulate

    truth = simulate(circuit, noise_model)                      # exact noisy state (PauliMPO)
    data = measure(truth, MeasurementDesign(n, window=5), shots=1000, seed=1)
    cross = reconstruct(data)                                   # stage 1: cross estimate
    fit = refine(cross.state, data, seed=1)                     # stage 2: likelihood, positive
    print(compare(fit.state, truth))

Each name is documented in its module (``tomography.measure``, ``tomography.reconstruct``,
...), whose paths keep working. The verbs are imported eagerly: four of them share their
module's name, and a lazy attribute would be shadowed by the submodule once it is imported.
"""

from .bootstrap import BootstrapResult, bootstrap
from .measure import ExactExpectations, MeasurementData, MeasurementDesign, measure
from .metrics import (
    Metrics,
    compare,
    fidelity,
    local_fidelities,
    overlap_fidelity,
    relative_error,
    trace_distance,
)
from .progress import ProgressBar
from .reconstruct import (
    LongRangeCorrelationWarning,
    Reconstruction,
    WindowTooNarrowWarning,
    reconstruct,
)
from .refine import Refinement, refine
from .simulate import SimulationInfo, simulate
from .state import PauliMPO
from .sweep import load_spec, read_sweep, run_sweep
from .target import target_fidelity

__all__ = [
    # in pipeline order
    "simulate",
    "SimulationInfo",
    "PauliMPO",
    "MeasurementDesign",
    "MeasurementData",
    "ExactExpectations",
    "measure",
    "reconstruct",
    "Reconstruction",
    "WindowTooNarrowWarning",
    "LongRangeCorrelationWarning",
    "refine",
    "Refinement",
    "compare",
    "Metrics",
    "fidelity",
    "trace_distance",
    "overlap_fidelity",
    "relative_error",
    "local_fidelities",
    "target_fidelity",
    # how sure am I? (tomography.bootstrap, tomography.statistics)
    "bootstrap",
    "BootstrapResult",
    # every stage's progress=
    "ProgressBar",
    # many runs on Dask (tomography.sweep)
    "load_spec",
    "run_sweep",
    "read_sweep",
]
