"""One atomic write: permissions, durability, and nothing half-written after a failure."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sync import atomic
from sync.atomic import AtomicFile, atomic_path, atomic_write_bytes, new_file_mode, remove_stale_temporaries


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_new_file_gets_the_usual_mode_not_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = atomic_write_bytes(tmp_path / "sub" / "a.xlsx", b"new")
        usual = new_file_mode()
    finally:
        os.umask(old)
    assert target.read_bytes() == b"new"
    assert mode(target) == usual == 0o644
    assert leftovers(target.parent) == []


def test_previous_permissions_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "tong-hop.xlsx"
    target.write_bytes(b"old")
    target.chmod(0o664)
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new" and mode(target) == 0o664


def test_explicit_private_mode_for_secrets(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    target.write_bytes(b"{}")
    target.chmod(0o644)
    atomic_write_bytes(target, b"{}", mode=0o600)
    assert mode(target) == 0o600


def test_exception_leaves_target_untouched_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "bao-cao.docx"
    target.write_bytes(b"previous")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".bao-cao.docx.")
        tmp.write_bytes(b"half a file")
        raise RuntimeError("đĩa đầy")
    assert target.read_bytes() == b"previous"
    assert leftovers(tmp_path) == []


def test_keyboard_interrupt_too(tmp_path: Path) -> None:
    target = tmp_path / "x.png"
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt
    assert not target.exists() and leftovers(tmp_path) == []


def test_failed_rename_keeps_target_and_removes_temporary(tmp_path: Path) -> None:
    target = tmp_path / "dir-in-the-way"
    target.mkdir()
    (target / "inside").write_text("x")
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"new")
    assert (target / "inside").read_text() == "x"
    assert leftovers(tmp_path) == []


def test_file_and_folder_are_really_fsynced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        real_fsync(fd)  # the real call: it must work on this file system
        synced.append("dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")

    monkeypatch.setattr(atomic.os, "fsync", spy)
    atomic_write_bytes(tmp_path / "a.bin", b"data")
    assert synced[0] == "file"
    if hasattr(os, "O_DIRECTORY"):
        assert synced[-1] == "dir"


def test_two_halves_apart(tmp_path: Path) -> None:
    target = tmp_path / "t.xlsx"
    pending = AtomicFile(target)
    pending.tmp.write_bytes(b"rendered elsewhere")
    pending.finalize()
    assert not target.exists()
    pending.install()
    pending.discard()  # a no-op once installed
    assert target.read_bytes() == b"rendered elsewhere" and leftovers(tmp_path) == []


def test_stale_temporaries_removed_fresh_ones_kept(tmp_path: Path) -> None:
    target = tmp_path / "t.xlsx"
    old = tmp_path / ".t.xlsx.abc.tmp"
    new = tmp_path / ".t.xlsx.def.tmp"
    old.write_bytes(b"")
    new.write_bytes(b"")
    os.utime(old, (0, 0))
    remove_stale_temporaries(target)
    assert leftovers(tmp_path) == [new.name]


def test_atomic_create_never_replaces_a_file(tmp_path: Path) -> None:
    target = tmp_path / "don-vi" / "SNV.xlsx"
    with atomic.atomic_create(target) as tmp:
        tmp.write_bytes(b"first")
    assert target.read_bytes() == b"first"
    with pytest.raises(FileExistsError), atomic.atomic_create(target) as tmp:
        tmp.write_bytes(b"second")
    assert target.read_bytes() == b"first"
    assert leftovers(target.parent) == []


def test_atomic_create_when_the_file_appears_while_writing(tmp_path: Path) -> None:
    target = tmp_path / "SNV.xlsx"
    with pytest.raises(FileExistsError), atomic.atomic_create(target) as tmp:
        tmp.write_bytes(b"ours")
        target.write_bytes(b"a person's")  # made meanwhile, by someone else
    assert target.read_bytes() == b"a person's"
    assert leftovers(tmp_path) == []


def test_atomic_create_under_a_file_is_not_a_directory(tmp_path: Path) -> None:
    (tmp_path / "don-vi").write_bytes(b"a file, not a folder")
    with pytest.raises(NotADirectoryError), atomic.atomic_create(tmp_path / "don-vi" / "SNV.xlsx") as tmp:
        tmp.write_bytes(b"never")
