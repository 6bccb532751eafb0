"""Typed errors, named as JAX names them, whose messages point at the user's line."""


class JaxlikeError(Exception):
    """Base of jaxlike's own errors."""


class ConcretizationTypeError(TypeError):
    """A traced value was used where a concrete (Python) value is needed."""


class TracerBoolConversionError(ConcretizationTypeError):
    """`bool()` (a Python `if`/`while`/`and`/`or`) on a traced value."""


class TracerIntegerConversionError(ConcretizationTypeError):
    """`int()`/`__index__` on a traced value."""


class TracerArrayConversionError(TypeError):
    """`numpy.asarray` on a traced value."""


class UnexpectedTracerError(JaxlikeError):
    """A tracer escaped the transform that created it (a leaked tracer)."""


class NonConcreteBooleanIndexError(IndexError):
    """A boolean mask whose values are not known at trace time."""
