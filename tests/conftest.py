"""Test-session settings.

Single-threaded BLAS: the test matrices are small, and on a shared 2-core machine threaded
OpenBLAS stalls whenever the other core is busy (a 256 x 256 SVD went from 0.13 s to 1.5 s).
Set before numpy is imported by any test module.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
