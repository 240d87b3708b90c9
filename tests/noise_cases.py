"""Noise models shared by the simulator and circuit-to-PTM tests."""

from __future__ import annotations

from qiskit_aer.noise import NoiseModel

from tomography.noise import amplitude_damping, combine, depolarizing, readout, thermal


def noise_models(*, ideal_name: str = "none") -> dict[str, NoiseModel | None]:
    """One model of each kind plus their combination; ``ideal_name`` maps to None."""
    models = {
        ideal_name: None,
        "depolarizing": depolarizing(0.01, 0.05),
        "amplitude": amplitude_damping(0.04),
        "thermal": thermal(50.0, 60.0, (1.0, 4.0), excited_population=0.05),
        "readout": readout(0.02, 0.07),
    }
    models["combined"] = combine(*(m for m in models.values() if m is not None))
    return models
