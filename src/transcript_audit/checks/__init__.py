"""Check types: one module each, joined by one table.

A check type is code; a rule is data that names its check type with
``check:``. Each check class declares the rule keys it adds (``FIELDS``),
is built from a validated ``Rule`` and yields findings from ``run``.
"""

from __future__ import annotations

from .forbidden import Forbidden
from .required import Required
from .response import Response

CHECK_TYPES = {check.NAME: check for check in (Forbidden, Required, Response)}
