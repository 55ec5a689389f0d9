"""Build hook for the optional C kernel (everything else is in pyproject.toml).

``rnncalc.engine._fused`` is compiled where a C compiler and Python's headers
exist; ``optional=True`` lets the install go on without it, and the engine then
runs its NumPy path (see README, "Speed").
"""

import sys

from setuptools import Extension, setup

# -fno-trapping-math lets GCC if-convert (and so vectorize) the gate loops' selects
ARGS = ([] if sys.platform == "win32" else
        ["-O3", "-std=c99", "-fno-math-errno", "-fno-trapping-math"])

setup(ext_modules=[Extension("rnncalc.engine._fused", ["rnncalc/engine/_fused.c"],
                             extra_compile_args=ARGS, optional=True)])
