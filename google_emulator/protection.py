"""Protected ranges enforced on writes, as Google does for an account that is not an editor.

Google refuses a write (values API or ``batchUpdate``) that would change a cell inside a
protected range unless the caller is one of the range's editors (the spreadsheet's owner
always is); the whole request fails with 400 and nothing is written. A ``warningOnly`` range
warns people in the Sheets UI only: API writes go through.

The emulator checks by difference: the write is applied to a copy, and the copy is refused
when a protected cell differs from before. So writing a protected cell's own value again
passes here (Google refuses it); no caller of ours relies on either answer.
"""

from __future__ import annotations

from typing import Any

from .errors import invalid_argument
from .spreadsheet import Sheet, Spreadsheet

PROTECTED_MESSAGE = (
    "You are trying to edit a protected cell or object. "
    "Please contact the spreadsheet owner to remove protection if you need to edit."
)


def may_edit(pr: dict[str, Any], email: str, owner: str) -> bool:
    """Whether ``email`` may change cells of protected range ``pr``."""
    if pr.get("warningOnly") or email.lower() == owner.lower():
        return True
    users = (pr.get("editors") or {}).get("users") or []
    return any(str(u).lower() == email.lower() for u in users)


def _inside(pr: dict[str, Any], sheet: Sheet, key: tuple[int, int]) -> bool:
    rng = pr.get("range") or {}
    r, c = key
    return (
        int(rng.get("startRowIndex") or 0) <= r < int(rng.get("endRowIndex") or sheet.rows)
        and int(rng.get("startColumnIndex") or 0) <= c < int(rng.get("endColumnIndex") or sheet.cols)
        and not any(
            int(u.get("startRowIndex") or 0) <= r < int(u.get("endRowIndex") or sheet.rows)
            and int(u.get("startColumnIndex") or 0) <= c < int(u.get("endColumnIndex") or sheet.cols)
            for u in pr.get("unprotectedRanges") or []
        )
    )


def check_edit(before: Spreadsheet, after: Spreadsheet, email: str, owner: str) -> None:
    """Google's 400 when ``after`` changes a cell ``email`` may not edit in ``before``."""
    for old in before.sheets:
        guards = [pr for pr in old.protected_ranges if not may_edit(pr, email, owner)]
        if not guards:
            continue
        new = after.sheet_by_id(old.sheet_id)
        if new is None:  # deleting a protected sheet is changing it
            raise invalid_argument(PROTECTED_MESSAGE)
        keys = set(old.cells) | set(new.cells)
        for key in keys:
            if old.cells.get(key) != new.cells.get(key) and any(_inside(pr, old, key) for pr in guards):
                raise invalid_argument(PROTECTED_MESSAGE)
