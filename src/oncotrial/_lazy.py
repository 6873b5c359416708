"""Names of a package imported on first use (PEP 562), so that importing the package costs nothing.

A package lists ``{public name: defining module}`` and calls :func:`lazy_attributes` for its module
``__getattr__`` and ``__dir__``. ``from oncotrial.io import read_table`` then imports ``oncotrial.io.tables``
only at that moment: a command that needs one reader does not load pandas for the others. Type checkers
and editors see the same names through the package's ``if TYPE_CHECKING:`` imports.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(
    namespace: dict[str, Any], where: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for the package whose globals are ``namespace``.

    Raises
    ------
    RuntimeError
        When the package's ``__all__`` and ``where`` list different names (a name added to one only).
    """
    package = namespace["__name__"]
    if sorted(namespace["__all__"]) != sorted(where):
        raise RuntimeError(f"{package}: __all__ and its lazy names differ: {set(namespace['__all__']) ^ set(where)}")

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value  # found once, then a plain attribute
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *where})

    return __getattr__, __dir__
