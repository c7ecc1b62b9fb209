"""Checks that a result has the shape its TypedDict names: what an action returns through a cast (its core function
returns a plain dict) is checked here, so the name mypy trusts is true at run time too."""

from __future__ import annotations

from typing import Any


def assert_shape(value: object, shape: Any) -> None:
    """``value`` is a dict with every required key of the TypedDict ``shape`` and no key it does not declare."""
    assert isinstance(value, dict), f"{type(value).__name__} is not a {shape.__name__}"
    keys = set(value)
    required, optional = set(shape.__required_keys__), set(shape.__optional_keys__)
    assert required <= keys, f"{shape.__name__} lacks {sorted(required - keys)}"
    assert keys <= required | optional, f"{shape.__name__} does not declare {sorted(keys - required - optional)}"
