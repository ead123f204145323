"""The house holds to its map: the README's "Map of the house" lists every package of ``sync/``
with its floor, imports between packages only point down (or sideways within a floor, without a
loop), and no feature names a backend."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SYNC = ROOT / "sync"
#: a row of the map: | floor | `package` | what it holds |
ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*`([\w.]+)`\s*\|")
#: the drivers: they pick a backend by name for a person (init, demo) or declare the names (config)
DRIVERS = {"cli", "config", "demo", "backends"}
#: the backends themselves; features import only ``sync.backends`` (and its ``base``)
BACKEND_MODULES = ("sync.backends.xlsx", "sync.backends.gsheets")


def _map() -> dict[str, int]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Map of the house", 1)[1].split("\n#", 1)[0]
    return {m.group(2): int(m.group(1)) for line in section.splitlines() if (m := ROW.match(line))}


def _packages() -> set[str]:
    """Every top-level package and module of ``sync/`` (its data folders aside)."""
    out = set()
    for p in SYNC.iterdir():
        if p.name.startswith(("_", ".")) or p.name in ("py.typed", "data", "locale", "__pycache__"):
            continue
        if p.is_dir() and (p / "__init__.py").exists():
            out.add(p.name)
        elif p.suffix == ".py":
            out.add(p.stem)
    return out


def _package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "sync" or len(parts) < 2:
        return None
    return parts[1]


def _imports() -> dict[str, set[tuple[str, str]]]:
    """package -> {(imported package, where)} over every module of ``sync/``."""
    edges: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for path in SYNC.rglob("*.py"):
        rel = path.relative_to(ROOT).with_suffix("")
        module = ".".join(rel.parts).removesuffix(".__init__")
        source = _package_of(module)
        if source is None or source.startswith("_"):  # sync/__init__.py, sync/__main__.py
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for target in targets:
                package = _package_of(target)
                if package is not None and package != source:
                    edges[source].add((package, f"{rel}.py:{node.lineno}"))
    return edges


def test_every_package_is_on_the_map() -> None:
    floors = _map()
    assert _packages() - set(floors) == set(), "add these to the README's Map of the house"
    assert set(floors) - _packages() == set(), "the map names packages that are gone"


def _upward(edges: dict[str, set[tuple[str, str]]], floors: dict[str, int]) -> list[str]:
    return [
        f"{where}: {source} (floor {floors[source]}) imports {target} (floor {floors[target]})"
        for source, targets in edges.items()
        for target, where in targets
        if floors[target] > floors[source]
    ]


def test_imports_between_packages_only_point_down() -> None:
    assert _upward(_imports(), _map()) == []


def test_no_loop_between_packages_on_one_floor() -> None:
    floors = _map()
    graph = {s: {t for t, _ in ts if floors[t] == floors[s]} for s, ts in _imports().items()}
    seen: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        seen[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if seen.get(nxt) == 1:
                return [*path, node, nxt]
            if nxt not in seen and (loop := visit(nxt, [*path, node])):
                return loop
        seen[node] = 2
        return None

    for start in sorted(graph):
        if start not in seen:
            assert visit(start, []) is None


def test_the_checker_sees_an_upward_import() -> None:
    """The rule is real: the engine importing the CLI, or the shapes a backend, would be reported."""
    floors = _map()
    edges = _imports()
    edges["engine"] = {*edges["engine"], ("cli", "sync/engine.py:1")}
    edges["shapes"] = {*edges["shapes"], ("backends", "sync/shapes/grid.py:1")}
    found = _upward(edges, floors)
    assert sorted(line.split(":")[0] for line in found) == ["sync/engine.py", "sync/shapes/grid.py"]


def test_no_feature_names_a_backend() -> None:
    """Features take the backend ``open_backend`` gives: none imports one by name or compares names."""
    named = []
    for path in SYNC.rglob("*.py"):
        rel = path.relative_to(SYNC)
        if rel.parts[0].removesuffix(".py") in DRIVERS:
            continue
        text = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(BACKEND_MODULES):
                named.append(f"{rel}:{node.lineno} imports {node.module}")
            if isinstance(node, ast.Constant) and node.value in ("xlsx", "gsheets"):
                named.append(f"{rel}:{node.lineno} names the backend {node.value!r}")
    assert named == []
