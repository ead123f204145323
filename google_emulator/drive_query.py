"""A small parser for Drive v3 `q` search queries."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_TOK = re.compile(
    r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")|(?P<op>!=|<=|>=|=|<|>|\(|\))"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
)

Pred = Callable[[dict[str, Any]], bool]


class QueryError(ValueError):
    pass


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def parse_query(q: str) -> Pred:
    """A predicate over a file's JSON for a `q` such as ``name = 'x' and trashed = false``."""
    parser = _Parser(q, _tokens(q.strip()))
    pred = parser.or_expr()
    if parser.i != len(parser.toks):
        raise QueryError(q)
    return pred


def _tokens(q: str) -> list[tuple[str, str]]:
    """(kind, text) pairs; kind is ``str`` (unquoted, unescaped), ``op`` or ``word``."""
    toks: list[tuple[str, str]] = []
    pos = 0
    while pos < len(q):
        m = _TOK.match(q, pos)
        if not m or m.end() == pos:
            raise QueryError(q)
        kind = m.lastgroup or "op"
        val = m.group(kind)
        if kind == "str":
            val = re.sub(r"\\(.)", r"\1", val[1:-1])
        toks.append((kind, val))
        pos = m.end()
        while pos < len(q) and q[pos].isspace():
            pos += 1
    return toks


class _Parser:
    """Recursive descent: or_expr := and_expr ('or' and_expr)*; and_expr := primary ('and' primary)*."""

    def __init__(self, q: str, toks: list[tuple[str, str]]) -> None:
        self.q = q
        self.toks = toks
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        if self.i >= len(self.toks):
            raise QueryError(self.q)
        self.i += 1
        return self.toks[self.i - 1]

    def value(self) -> Any:
        kind, v = self.take()
        if kind == "str":
            return v
        if v.lower() in ("true", "false"):
            return v.lower() == "true"
        return v

    def _keyword(self, word: str) -> bool:
        t = self.peek()
        return t is not None and t[0] == "word" and t[1].lower() == word

    def primary(self) -> Pred:
        t = self.peek()
        if t is None:
            raise QueryError(self.q)
        if t == ("op", "("):
            self.take()
            p = self.or_expr()
            if self.take() != ("op", ")"):
                raise QueryError(self.q)
            return p
        if self._keyword("not"):
            self.take()
            inner = self.primary()
            return lambda f: not inner(f)
        if t[0] == "str":  # 'ID' in parents
            lit = self.take()[1]
            if self.take()[1].lower() != "in":
                raise QueryError(self.q)
            fld = self.take()[1]
            return lambda f: lit in (f.get(fld) or [])
        return self.comparison()

    def comparison(self) -> Pred:
        fld = self.take()[1]
        op = self.take()[1]
        v = self.value()
        if op.lower() == "in":  # gspread writes `parents in "ID"`
            return lambda f: v in (f.get(fld) or [])
        if op.lower() == "contains":
            return lambda f: isinstance(f.get(fld), str) and str(v).lower() in f[fld].lower()
        if op not in _COMPARE:
            raise QueryError(self.q)
        fn = _COMPARE[op]
        return lambda f: f.get(fld) is not None and fn(f.get(fld), v)

    def and_expr(self) -> Pred:
        left = self.primary()
        while self._keyword("and"):
            self.take()
            right = self.primary()
            left = (lambda a, b: lambda f: a(f) and b(f))(left, right)
        return left

    def or_expr(self) -> Pred:
        left = self.and_expr()
        while self._keyword("or"):
            self.take()
            right = self.and_expr()
            left = (lambda a, b: lambda f: a(f) or b(f))(left, right)
        return left
