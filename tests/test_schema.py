from __future__ import annotations

from pathlib import Path

import pytest

from sync.exceptions import SchemaError
from sync.normalize import fold
from sync.schema import load_schema_file, unit_sheet_schema

CONTRACT_FIELDS = [
    "stt",
    "task_id",
    "doc_ref",
    "doc_date",
    "summary",
    "assigner",
    "lead_unit",
    "co_units",
    "deadline",
    "extended_deadline",
    "status",
    "progress",
    "completed_on",
    "result_doc",
    "obstacles",
    "extension_request",
    "updated_on",
]


def test_unit_sheet_schema_has_every_contract_field() -> None:
    schema = unit_sheet_schema()
    assert list(schema.names) == CONTRACT_FIELDS
    assert {f.name for f in schema.required_fields()} == {
        "task_id",
        "summary",
        "deadline",
        "status",
        "completed_on",
        "updated_on",
    }
    assert schema["obstacles"].aliases == ("Khó khăn, vướng mắc", "Kiến nghị, đề xuất")
    assert schema.tab == "Nhiệm vụ"


def test_header_lookup_is_folded_and_unambiguous() -> None:
    schema = unit_sheet_schema()
    assert schema.header_lookup[fold("ngay cap nhat")] == "updated_on"
    assert schema.header_lookup[fold("Hạn xử lý")] == "deadline"
    titles = [fold(h) for f in schema.fields for h in f.headers]
    assert len(titles) == len(set(titles)), "a header spelling would match two fields"


def test_status_values() -> None:
    lookup = unit_sheet_schema()["status"].value_lookup()
    assert lookup[fold("đã ht")] == "completed"
    assert lookup[fold("Đang TH")] == "in_progress"
    assert lookup[fold("chưa triển khai")] == "not_started"


@pytest.mark.parametrize(
    "text, key",
    [
        ("name: x\ntitle: y\ntab: z\nfields: []\n", "fields"),
        ("name: x\ntitle: y\ntab: z\nbogus: 1\nfields: []\n", "bogus"),
        (
            "name: x\ntitle: y\ntab: z\nfields:\n  - {name: a, title: A, type: weird, owner: unit}\n",
            "fields[0].type",
        ),
        (
            "name: x\ntitle: y\ntab: z\nfields:\n  - {name: a, title: A, type: text, owner: boss}\n",
            "fields[0].owner",
        ),
        (
            "name: x\ntitle: y\ntab: z\nfields:\n  - {name: a, title: A, type: enum, owner: unit}\n",
            "fields[0].values",
        ),
        (
            "name: x\ntitle: y\ntab: z\nfields:\n  - {name: a, title: A, type: text, owner: unit, colour: red}\n",
            "fields[0].colour",
        ),
    ],
)
def test_broken_schema_names_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemaError) as e:
        load_schema_file(path)
    assert str(path) in str(e.value)
    assert f"“{key}”" in str(e.value)


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nfields: [\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="dòng"):
        load_schema_file(path)
