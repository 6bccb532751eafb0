"""The transforms: jit, automatic differentiation, vectorisation, and the rules they share."""
