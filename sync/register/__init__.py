"""The Office's task register (Danh mục nhiệm vụ) and its reconciliation with the units' sheets.

``load_register`` reads the register configured in ``[register]`` with its own schema
(``sheets_schema/register.yaml``: the unit sheet's Office-owned fields plus the
extension's approving document), with the same header matching, dates and messages
as a unit sheet. ``reconcile`` then compares every unit's rows with it (findings
``task-missing``, ``task-unknown``, ``office-field-changed``, ``wrong-unit``) and puts
the register's values into the Office-owned fields used for classification.
"""

from __future__ import annotations

from sync.register.read import REGISTER_UNIT, Register, load_register
from sync.register.reconcile import absent_tasks, reconcile

__all__ = ["REGISTER_UNIT", "Register", "absent_tasks", "load_register", "reconcile"]
