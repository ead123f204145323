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


def parse_query(q: str) -> Pred:
    toks: list[tuple[str, str]] = []
    pos = 0
    q = q.strip()
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
    i = 0

    def peek() -> tuple[str, str] | None:
        return toks[i] if i < len(toks) else None

    def take() -> tuple[str, str]:
        nonlocal i
        if i >= len(toks):
            raise QueryError(q)
        i += 1
        return toks[i - 1]

    def value() -> Any:
        kind, v = take()
        if kind == "str":
            return v
        if v.lower() in ("true", "false"):
            return v.lower() == "true"
        return v

    def primary() -> Pred:
        t = peek()
        if t is None:
            raise QueryError(q)
        if t == ("op", "("):
            take()
            p = or_expr()
            if take() != ("op", ")"):
                raise QueryError(q)
            return p
        if t[0] == "word" and t[1].lower() == "not":
            take()
            inner = primary()
            return lambda f: not inner(f)
        if t[0] == "str":
            lit = take()[1]
            kw = take()
            if kw[1].lower() != "in":
                raise QueryError(q)
            fld = take()[1]
            return lambda f: lit in (f.get(fld) or [])
        fld = take()[1]
        op = take()[1]
        if op.lower() == "in":  # gspread writes `parents in "ID"`
            v = value()
            return lambda f: v in (f.get(fld) or [])
        if op.lower() == "contains":
            v = value()
            return lambda f: isinstance(f.get(fld), str) and str(v).lower() in f[fld].lower()
        v = value()
        ops: dict[str, Callable[[Any, Any], bool]] = {
            "=": lambda a, b: a == b,
            "!=": lambda a, b: a != b,
            "<": lambda a, b: a < b,
            ">": lambda a, b: a > b,
            "<=": lambda a, b: a <= b,
            ">=": lambda a, b: a >= b,
        }
        if op not in ops:
            raise QueryError(q)
        fn = ops[op]
        return lambda f: f.get(fld) is not None and fn(f.get(fld), v)

    def and_expr() -> Pred:
        left = primary()
        while (t := peek()) and t[0] == "word" and t[1].lower() == "and":
            take()
            right = primary()
            left = (lambda a, b: lambda f: a(f) and b(f))(left, right)
        return left

    def or_expr() -> Pred:
        left = and_expr()
        while (t := peek()) and t[0] == "word" and t[1].lower() == "or":
            take()
            right = and_expr()
            left = (lambda a, b: lambda f: a(f) or b(f))(left, right)
        return left

    pred = or_expr()
    if i != len(toks):
        raise QueryError(q)
    return pred
