"""The config ``init`` writes (sync.setup.config_write): it loads, and a found one is never rewritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.config import load_config
from sync.exceptions import ConfigError
from sync.setup.config_write import config_data, config_text, write_config
from sync.shapes.books import UnitSpec

UNITS = [
    UnitSpec("SNV", "Sở Nội vụ", "so-nganh", ("Sở NV",), ("vanthu@snv.gov.vn",)),
    UnitSpec("X-A", "UBND xã A", "xa"),
]


def _data(**changes: object) -> dict[str, object]:
    args: dict[str, object] = {
        "backend": "gsheets",
        "sources": {"SNV": "1SnVid", "X-A": "1XaId"},
        "register": "1RegId",
        "summary": "1SumId",
        "cutoff_day": 25,
        "task_tab": "Nhiệm vụ",
        "settings": {"credentials": "khoa.json", "endpoint": "http://127.0.0.1:8765", "protection": "warn"},
    }
    args.update(changes)
    return config_data(UNITS, **args)  # type: ignore[arg-type]


def test_a_gsheets_config_loads(tmp_path: Path) -> None:
    path = tmp_path / "ubnd-sync.toml"
    assert write_config(path, config_text(_data(), units_csv="don-vi.csv")).created
    config = load_config(path)
    assert config.sync.backend == "gsheets" and config.sync.summary == "1SumId"
    assert config.gsheets.credentials == "khoa.json" and config.gsheets.endpoint == "http://127.0.0.1:8765"
    assert config.gsheets.protection == "warn"
    assert config.register.source == "1RegId"
    assert [(u.code, u.source, u.kind, u.aliases, u.emails) for u in config.units] == [
        ("SNV", "1SnVid", "so-nganh", ("Sở NV",), ("vanthu@snv.gov.vn",)),
        ("X-A", "1XaId", "xa", (), ()),
    ]
    assert path.read_text("utf-8").startswith(
        "# Cấu hình ubnd-sync của tỉnh, do “ubnd-sync init” tạo từ danh sách"
    )


def test_a_found_config_is_compared_never_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "ubnd-sync.toml"
    hand_made = '[sync]\nbackend = "gsheets"\nsummary = "1SumId"\n\n[[units]]\ncode = "SNV"\nname = "Sở NV"\nsource = "x"\n'
    path.write_text(hand_made, "utf-8")
    outcome = write_config(path, config_text(_data(), units_csv="don-vi.csv"))
    assert not outcome.created
    assert path.read_text("utf-8") == hand_made
    assert outcome.differences == [
        "[sync] sheet: đang là chưa có, init sẽ ghi “Nhiệm vụ”",
        "[sync] cutoff_day: đang là chưa có, init sẽ ghi 25",
        "[gsheets] credentials: đang là chưa có, init sẽ ghi “khoa.json”",
        "[gsheets] endpoint: đang là chưa có, init sẽ ghi “http://127.0.0.1:8765”",
        "[gsheets] protection: đang là chưa có, init sẽ ghi “warn”",
        "[register] source: đang là chưa có, init sẽ ghi “1RegId”",
        "đơn vị có trong danh sách nhưng chưa có trong cấu hình (1): X-A",
        "đơn vị SNV: khác ở name, source, aliases, emails",
    ]


def test_a_same_config_has_no_difference(tmp_path: Path) -> None:
    path = tmp_path / "ubnd-sync.toml"
    text = config_text(_data(), units_csv="don-vi.csv")
    write_config(path, text)
    again = write_config(path, config_text(_data(), units_csv="khac.csv"))  # only the comment differs
    assert not again.created and again.differences == []
    assert path.read_text("utf-8") == text


def test_an_unreadable_config_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "ubnd-sync.toml"
    path.write_bytes(b"[sync\n")
    outcome = write_config(path, config_text(_data(), units_csv="don-vi.csv"))
    assert outcome.differences == ["tệp hiện có không đọc được như một tệp TOML"]
    assert path.read_bytes() == b"[sync\n"


def test_protection_is_enforce_or_warn(tmp_path: Path) -> None:
    path = tmp_path / "ubnd-sync.toml"
    path.write_text(config_text(_data(settings={"protection": "khoa"}), units_csv="don-vi.csv"), "utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    line = path.read_text("utf-8").splitlines().index('protection = "khoa"') + 1
    assert str(err.value).startswith(f'{path}, dòng {line}: “protection” phải là "enforce"')
