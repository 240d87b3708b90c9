"""tomography: MPO state tomography of noisy 1D circuits by TT cross (arXiv:2207.06397)."""
