"""One definition per kind of finding (``sync.findings``): the catalogue against the contract's §4
table and the README's table of added codes, its constants used by the code, templates that fail
loudly when a call leaves a name out, and cell text that is only ever a value."""

from __future__ import annotations

import ast
import json
import re
import string
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from sync import findings as F
from sync.cli import cli
from sync.config import Config
from sync.labels import SEVERITY_LABELS
from sync.remind.notices import SECTIONS
from tests.helpers import task_row

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: The contract's §4 table (code -> severity), kept here because CI has only the repository; checked
#: against ``shared/spec/unit-sheet.md`` wherever that folder is (``../shared`` of the repository or above).
CONTRACT = {
    "source-unreadable": "error",
    "missing-column": "error",
    "duplicate-column": "warning",
    "required-missing": "error",
    "invalid-date": "error",
    "invalid-value": "error",
    "future-date": "error",
    "completion-date-missing": "error",
    "status-conflict": "warning",
    "date-order": "warning",
    "duplicate-task-id": "error",
    "unknown-unit": "warning",
    "legacy-encoding": "warning",
    "stale-update": "warning",
    "late-update": "info",
    "overdue": "warning",
    "due-soon": "info",
}
#: the product contract, as kept in the repository (CI has no ../shared); the test below also holds
#: it to the shared original when one is beside the repository
SPEC = ROOT / "tests" / "data" / "contract" / "unit-sheet.md"
SHARED_SPEC = next(
    (
        p / "shared" / "spec" / "unit-sheet.md"
        for p in ROOT.parents
        if (p / "shared" / "spec" / "unit-sheet.md").exists()
    ),
    None,
)
#: What ``make`` fills in when a call does not (its own arguments and defaults).
MADE = {"cell", "row", "sheet", "value", "hint", "title", "text"}


def table_rows(text: str, after: str) -> list[tuple[str, str]]:
    """(code, severity) of each row of the first ``| code | severity | when |`` table after ``after``."""
    start = text.index(after)
    head = text.index("| code | severity | when |", start)
    rows = []
    for line in text[head:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows.append((cells[0], cells[1]))
    return rows


def test_the_contracts_table_is_the_one_kept_here() -> None:
    text = SPEC.read_text(encoding="utf-8")
    if SHARED_SPEC is not None:  # a developer's machine: the repository's copy is the shared contract
        assert SHARED_SPEC.read_text(encoding="utf-8") == text, "copy the contract into tests/data/contract/"
    rows = table_rows(text, "## 4. Findings")
    assert len(rows) == len(CONTRACT)
    assert dict(rows) == CONTRACT


def test_every_code_of_the_contract_and_the_readme_has_exactly_one_entry_and_vice_versa() -> None:
    added = table_rows(README, "**Finding codes beyond the contract's table**")
    added_codes = [code for code, _ in added]
    assert len(set(added_codes)) == len(added_codes), "a code twice in the README's table"
    assert not set(added_codes) & set(CONTRACT), "a contract code in the README's table of added codes"
    documented = CONTRACT | dict(added)
    codes = [k.code for k in F.KINDS]
    assert len(set(codes)) == len(codes) == len(F.CATALOGUE), "one entry per code"
    assert sorted(codes) == sorted(documented)
    assert {k.code: k.severity for k in F.KINDS} == documented


def test_every_constant_is_in_the_catalogue_under_its_own_name() -> None:
    constants = {name: v for name, v in vars(F).items() if isinstance(v, F.FindingKind)}
    assert set(constants.values()) == set(F.KINDS) and len(constants) == len(F.KINDS)
    for name, kind in constants.items():
        assert name == kind.code.upper().replace("-", "_")
        assert F.CATALOGUE[kind.code] is kind
        assert kind.label and kind.label[0].isupper() and kind.label == F.FINDING_LABELS[kind.code]
        assert kind.severity in SEVERITY_LABELS


def test_the_reminders_sections_come_from_the_kinds() -> None:
    assert [(title, set(codes)) for title, codes in SECTIONS] == [
        ("Nhiệm vụ quá hạn", {"overdue"}),
        ("Nhiệm vụ sắp đến hạn", {"due-soon"}),
        ("Dòng chưa cập nhật trong kỳ", {"stale-update"}),
        ("Dòng cập nhật muộn", {"late-update"}),
        ("Đối chiếu với danh mục nhiệm vụ của Văn phòng", {"task-missing", "wrong-unit"}),
    ]
    assert {k.code for k in F.KINDS if k.section} == {c for _, codes in SECTIONS for c in codes}


def _kinds_made_by(path: Path) -> set[str]:
    """Names of ``F.<KIND>`` passed as the first argument of a call in ``path``."""
    made = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args:
            first = node.args[0]
            if (
                isinstance(first, ast.Attribute)
                and isinstance(first.value, ast.Name)
                and first.value.id == "F"
            ):
                made.add(first.attr)
    return made


def test_every_kind_is_made_somewhere_and_no_code_is_a_bare_string() -> None:
    made: set[str] = set()
    bare = re.compile("[\"'](" + "|".join(map(re.escape, F.CATALOGUE)) + ")[\"']")
    styles = re.compile(r"""["']overdue["']""")  # the summary's row style of that name, not a finding
    offenders = []
    for path in [*(ROOT / "sync").rglob("*.py"), *(ROOT / "scripts").rglob("*.py")]:
        if path == ROOT / "sync" / "findings.py":
            continue
        made |= _kinds_made_by(path)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            style = (path.parent.name == "summary" or path.name == "summary.py") and styles.search(code)
            # a released migration of the history is frozen SQL text: it names codes as the file holds them
            migration = path == ROOT / "sync" / "history" / "store.py" and "findings.code = " in code
            if bare.search(code) and not style and not migration:
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "use the constant of sync.findings:\n" + "\n".join(offenders)
    kinds = {name for name, v in vars(F).items() if isinstance(v, F.FindingKind)}
    assert kinds - made == set(), "kinds no code makes"


# --- templates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    ["{0}", "{}", "{text!r}", "{text:>9}", "{text.upper}", "{text[0]}", "ô {cell", "ô cell}", "{{cell}"],
)
def test_a_template_with_anything_but_plain_names_is_refused_when_defined(template: str) -> None:
    with pytest.raises(ValueError):
        F.FindingKind("x-test", "error", "Thử", template)


def test_a_typo_in_a_template_raises_where_the_finding_is_made() -> None:
    typo = F.FindingKind("x-test", "error", "Thử", "Ô {cell} (cột “{titel}”) đang trống.")
    with pytest.raises(F.FindingTemplateError, match=r"x-test: its template needs titel") as caught:
        F.make(typo, unit="SNV", sheet="Nhiệm vụ", cell="F7", row=7, field="deadline")
    assert isinstance(caught.value, KeyError)


def test_a_call_that_leaves_a_name_out_raises() -> None:
    with pytest.raises(F.FindingTemplateError, match="wrong-unit: its template needs lead, register_row"):
        F.make(F.WRONG_UNIT, unit="SNV", sheet="Nhiệm vụ", cell="B7", row=7, field="task_id", value="NV-1")


def _expected(kind: F.FindingKind, values: dict[str, str]) -> str:
    """The template with each name replaced by its value, by hand (not through ``str.format``)."""
    parts = []
    for literal, name, _, _ in string.Formatter().parse(kind.template):
        parts.append(literal)
        if name is not None:
            parts.append(values[name])
    return " ".join("".join(parts).split())


#: Text that would be a format if anything read it as one.
FORMATS = st.sampled_from(["{", "}", "{}", "{0}", "{title}", "{text!r}", "{x:>99999}", "%s", "{{cell}}"])
HOSTILE = st.lists(st.one_of(FORMATS, st.text(max_size=8)), max_size=6).map("".join)


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(F.KINDS), text=HOSTILE, other=HOSTILE)
def test_any_cell_text_is_a_value_never_a_format(kind: F.FindingKind, text: str, other: str) -> None:
    values = dict.fromkeys(kind.placeholders - {"cell", "row", "sheet", "value"}, other)
    values["text"] = text
    f = F.make(kind, unit="SNV", sheet=text, cell="F7", row=7, field="status", value=text, **values)
    assert f.code == kind.code and f.severity == kind.severity
    assert f.message == _expected(kind, {**values, "cell": "F7", "row": "7", "sheet": text, "value": text})


CELL = "{title}{0}{text!r}{{ô}}{:>99999}{"


def test_format_like_text_in_a_units_cells_is_shown_as_typed(province: Callable[..., Config]) -> None:
    """A real workbook through ``validate --json``: every finding about the cells shows the text as typed."""
    cfg = province(
        {
            "SNV": [
                task_row(task_id="NV-1", status=CELL),
                task_row(task_id="NV-2", deadline=CELL),
                task_row(task_id="NV-3", lead_unit=CELL),
                task_row(task_id="NV-4", summary=CELL, deadline="01/02/2024"),
            ]
        }
    )
    result = CliRunner().invoke(cli, ["validate", "-c", str(cfg.path), "--as-of", "2024-03-05", "--json"])
    assert result.exit_code == 1, result.output
    findings = {f["code"]: f for f in json.loads(result.stdout)["findings"]}
    assert {"invalid-value", "invalid-date", "unknown-unit", "overdue"} <= set(findings)
    for code in ("invalid-value", "invalid-date", "unknown-unit", "overdue"):
        assert f"“{CELL}”" in findings[code]["message"], findings[code]["message"]
