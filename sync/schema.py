"""The declarative sheet schema (``sheets_schema/*.yaml``), loaded and checked.

Code never repeats a title, alias, type or allowed value: it asks the schema.
A broken schema file is a ``SchemaError`` naming the file and the key.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from sync.exceptions import SchemaError, os_reason
from sync.normalize import fold

FIELD_TYPES = ("integer", "text", "date", "date_or_kind", "unit", "unit_list", "enum")
OWNERS = ("office", "unit")
_FIELD_KEYS = {
    "name",
    "title",
    "aliases",
    "type",
    "owner",
    "required",
    "required_cell",
    "unique",
    "values",
    "description",
}
_TOP_KEYS = {"name", "title", "tab", "header_search_rows", "header_min_matches", "fields", "office_fields_of"}


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    title: str
    type: str
    owner: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    required_cell: bool = False
    unique: str | None = None
    #: meaning -> accepted spellings (enum, date_or_kind)
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    description: str = ""

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.title, *self.aliases)

    def value_lookup(self) -> dict[str, str]:
        """Folded spelling -> meaning, for enum and date_or_kind fields."""
        return {fold(s): meaning for meaning, spellings in self.values.items() for s in spellings}


@dataclass(frozen=True)
class Schema:
    name: str
    title: str
    tab: str
    header_search_rows: int
    header_min_matches: int
    fields: tuple[Field, ...]
    source: str

    def __getitem__(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @functools.cached_property
    def header_lookup(self) -> dict[str, str]:
        """Folded header text -> field id."""
        lookup: dict[str, str] = {}
        for f in self.fields:
            for header in f.headers:
                lookup.setdefault(fold(header), f.name)
        return lookup

    def required_fields(self) -> list[Field]:
        return [f for f in self.fields if f.required]


def _fail(source: str, key: str, message: str) -> SchemaError:
    return SchemaError(f"Tệp lược đồ {source}, khóa “{key}”: {message}")


def _text(source: str, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(source, key, "phải là một chuỗi không rỗng")
    return value


def parse_schema(data: Any, source: str) -> Schema:
    """Check a loaded schema document and build a ``Schema``."""
    if not isinstance(data, dict):
        raise _fail(source, "(gốc)", "tệp phải là một bảng khóa: giá trị")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise _fail(source, unknown[0], "khóa không được hỗ trợ")
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise _fail(source, "fields", "phải là danh sách các cột")
    fields: list[Field] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_fields):
        where = f"fields[{i}]"
        if not isinstance(raw, dict):
            raise _fail(source, where, "mỗi cột phải là một bảng khóa: giá trị")
        bad = sorted(set(raw) - _FIELD_KEYS)
        if bad:
            raise _fail(source, f"{where}.{bad[0]}", "khóa không được hỗ trợ")
        name = _text(source, f"{where}.name", raw.get("name"))
        if name in seen:
            raise _fail(source, f"{where}.name", f"cột “{name}” được khai báo hai lần")
        seen.add(name)
        ftype = raw.get("type")
        if ftype not in FIELD_TYPES:
            raise _fail(source, f"{where}.type", f"phải là một trong {', '.join(FIELD_TYPES)}")
        owner = raw.get("owner")
        if owner not in OWNERS:
            raise _fail(source, f"{where}.owner", "phải là office hoặc unit")
        aliases = raw.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise _fail(source, f"{where}.aliases", "phải là danh sách chuỗi")
        values_raw = raw.get("values") or {}
        if not isinstance(values_raw, dict):
            raise _fail(source, f"{where}.values", "phải là bảng: nghĩa → danh sách cách viết")
        values: dict[str, tuple[str, ...]] = {}
        for meaning, spellings in values_raw.items():
            if not isinstance(spellings, list) or not all(isinstance(s, str) for s in spellings):
                raise _fail(source, f"{where}.values.{meaning}", "phải là danh sách chuỗi")
            values[str(meaning)] = tuple(spellings)
        if ftype in ("enum", "date_or_kind") and not values:
            raise _fail(source, f"{where}.values", f"cột kiểu {ftype} cần danh sách giá trị")
        for flag in ("required", "required_cell"):
            if flag in raw and not isinstance(raw[flag], bool):
                raise _fail(source, f"{where}.{flag}", "phải là true hoặc false")
        fields.append(
            Field(
                name=name,
                title=_text(source, f"{where}.title", raw.get("title")),
                type=ftype,
                owner=owner,
                aliases=tuple(aliases),
                required=bool(raw.get("required", False)),
                required_cell=bool(raw.get("required_cell", False)),
                unique=raw.get("unique"),
                values=values,
                description=str(raw.get("description", "")),
            )
        )
    rows = data.get("header_search_rows", 10)
    matches = data.get("header_min_matches", 3)
    for key, value in (("header_search_rows", rows), ("header_min_matches", matches)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise _fail(source, key, "phải là số nguyên dương")
    return Schema(
        name=_text(source, "name", data.get("name")),
        title=_text(source, "title", data.get("title")),
        tab=_text(source, "tab", data.get("tab")),
        header_search_rows=rows,
        header_min_matches=matches,
        fields=tuple(fields),
        source=source,
    )


def load_schema_file(path: str | Path) -> Schema:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise SchemaError(f"Không đọc được tệp lược đồ {path}: {os_reason(e)}") from e
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f", dòng {mark.line + 1}" if mark is not None else ""
        raise SchemaError(f"Tệp lược đồ {path}{line}: không đúng cú pháp YAML") from e
    schema = parse_schema(data, str(path))
    base = data.get("office_fields_of")
    if base is None:
        return schema
    inherited = [
        f
        for f in load_schema_file(path.parent / _text(str(path), "office_fields_of", base)).fields
        if f.owner == "office"
    ]
    names = {f.name for f in inherited}
    clash = [f.name for f in schema.fields if f.name in names]
    if clash:
        raise _fail(str(path), "fields", f"cột “{clash[0]}” đã có trong {base}")
    return dataclasses.replace(schema, fields=(*inherited, *schema.fields))


def _shipped(name: str) -> Schema:
    ref = resources.files("sheets_schema").joinpath(name)
    with resources.as_file(ref) as path:
        return load_schema_file(path)


@functools.cache
def unit_sheet_schema() -> Schema:
    """The unit task sheet schema shipped in ``sheets_schema/unit-sheet.yaml``."""
    return _shipped("unit-sheet.yaml")


@functools.cache
def register_schema() -> Schema:
    """The Office's task register schema shipped in ``sheets_schema/register.yaml``."""
    return _shipped("register.yaml")
