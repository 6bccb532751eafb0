"""jaxlike.numpy: NumPy's API on device arrays, traceable by every transform."""
import numpy as _np

from jaxlike import dtypes as _dtypes
from jaxlike.array import Array as ndarray  # noqa: F401
from jaxlike.numpy.creation import *  # noqa: F401,F403
from jaxlike.numpy.ufuncs import *  # noqa: F401,F403
from jaxlike.numpy.reductions import *  # noqa: F401,F403
from jaxlike.numpy.manipulation import *  # noqa: F401,F403
from jaxlike.numpy.indexing import *  # noqa: F401,F403
from jaxlike.numpy.sorting import *  # noqa: F401,F403
from jaxlike.numpy.linalg_basic import *  # noqa: F401,F403
from jaxlike.numpy.ranges import *  # noqa: F401,F403

from jaxlike.numpy.scalar_types import *  # noqa: F401,F403,E402
pi, e, inf, nan, euler_gamma = _np.pi, _np.e, _np.inf, _np.nan, _np.euler_gamma
newaxis = None
dtype = _np.dtype
promote_types = _dtypes.promote_types
result_type = _dtypes.result_type
issubdtype = _dtypes.issubdtype
finfo = _dtypes.finfo
iinfo = _dtypes.iinfo

from jaxlike.numpy import array_methods as _array_methods  # noqa: E402
import sys as _sys  # noqa: E402

_array_methods.install(_sys.modules[__name__])
from jaxlike.numpy import linalg, fft  # noqa: F401,E402
