"""Check types: one module each, joined by one table.

A check type is code; a rule is data that names its check type with
``check:``. Each check class declares ``NAME``, the rule keys it adds
(``FIELDS``, from which the rule-pack schema is generated), optionally the
placeholders it fills besides the common ones (``PLACEHOLDERS``) and the
problems between its keys (``validate``), is built from a validated ``Rule``
and yields findings from ``run``. Every module of this package that defines such a class is found
here, so adding a check type is adding a module.
"""

from __future__ import annotations

import pkgutil
from collections.abc import Callable
from importlib import import_module


def _discover() -> tuple[dict[str, type], dict[str, Callable]]:
    found: dict[str, type] = {}
    fillers: dict[str, Callable] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = import_module(f"{__name__}.{module_info.name}")
        fillers.update(getattr(module, "FILLS", {}))
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__ and hasattr(value, "NAME") and hasattr(value, "FIELDS"):
                found[value.NAME] = value
    return found, fillers


# Check types by name; and the placeholders any rule may use that a check module knows how
# to fill from the conversation (``FILLS``: name -> function(conversation, turn) -> text or None).
CHECK_TYPES, PLACEHOLDER_FILLERS = _discover()
