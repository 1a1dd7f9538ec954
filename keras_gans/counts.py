"""How many examples to draw: the check that every ``generate(n, ...)`` shares."""

import numbers


def positive_count(n, name="n", context=""):
    """``n`` as an int if it is a whole number >= 1 (a Python or numpy integer, or a float
    such as 64.0), else a ValueError that names the argument and what was received; a
    fractional count such as 2.5 is refused rather than truncated."""
    whole = (isinstance(n, numbers.Integral) or (isinstance(n, numbers.Real)
                                                   and float(n).is_integer()))
    if isinstance(n, bool) or not whole or n < 1:
        raise ValueError(f"`{name}` must be a positive integer{context}; received {n!r}.")
    return int(n)
