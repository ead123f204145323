"""Partial-response `fields` masks: "a,b/c,files(id,name)" and "sheets.properties.title"."""

from __future__ import annotations

from typing import Any

Mask = dict[str, Any]


def parse_fields(text: str) -> Mask:
    pos = 0

    def parse_list(end: str | None) -> Mask:
        nonlocal pos
        mask: Mask = {}
        while pos < len(text):
            if end and text[pos] == end:
                pos += 1
                return mask
            # path
            start = pos
            while pos < len(text) and text[pos] not in ",()":
                pos += 1
            path = [p for p in text[start:pos].strip().replace("/", ".").split(".") if p]
            sub: Mask | None = None
            if pos < len(text) and text[pos] == "(":
                pos += 1
                sub = parse_list(")")
            node = mask
            for key in path[:-1]:
                node = node.setdefault(key, {})
                if node is True:
                    break
            if path and isinstance(node, dict):
                last = path[-1]
                if sub is None:
                    node[last] = True
                else:
                    cur = node.get(last)
                    if isinstance(cur, dict):
                        cur.update(sub)
                    elif cur is not True:
                        node[last] = sub
            if pos < len(text) and text[pos] == ",":
                pos += 1
        return mask

    return parse_list(None)


def apply_fields(data: Any, mask: Mask | bool) -> Any:
    if mask is True or "*" in (mask if isinstance(mask, dict) else {}):
        return data
    if isinstance(data, list):
        return [apply_fields(x, mask) for x in data]
    if not isinstance(data, dict):
        return data
    out = {}
    assert isinstance(mask, dict)
    for k, sub in mask.items():
        if k in data:
            out[k] = apply_fields(data[k], sub)
    return out
