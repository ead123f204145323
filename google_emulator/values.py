"""Cell values: USER_ENTERED / RAW input parsing, render options, a tiny formula evaluator.

Formulas are stored as text (``formulaValue``).  For FORMATTED_VALUE / UNFORMATTED_VALUE the
emulator evaluates a small subset: numbers, strings, booleans, + - * / ^ & unary minus,
parentheses, comparison operators, same-sheet cell references (``A1``), and the functions
SUM, MIN, MAX, AVERAGE, COUNT, COUNTA, IF, CONCATENATE, LEN, UPPER, LOWER, TRIM, ROUND,
HYPERLINK(url, text) -> text, TODAY/NOW (from the injectable clock), DATE(y,m,d).
Anything else evaluates to the error value ``#NAME?`` (rendered as text).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

EPOCH = dt.date(1899, 12, 30)

# locales whose decimal separator is ','
COMMA_DECIMAL_LOCALES = {
    "vi_VN",
    "vi",
    "de_DE",
    "de",
    "fr_FR",
    "fr",
    "es_ES",
    "es",
    "it_IT",
    "it",
    "pt_BR",
    "pt_PT",
    "ru_RU",
    "ru",
    "id_ID",
    "id",
    "nl_NL",
    "nl",
    "pl_PL",
    "pl",
    "tr_TR",
    "tr",
    "cs_CZ",
    "da_DK",
    "fi_FI",
    "nb_NO",
    "sv_SE",
    "uk_UA",
    "el_GR",
    "hu_HU",
    "ro_RO",
}
# locales that read d/m/y (everything not month-first)
MONTH_FIRST_LOCALES = {"en_US", "en", "en_PH", "es_US", "fil_PH"}


@dataclass
class Cell:
    """One stored cell (userEnteredValue + formatting + note)."""

    uev: dict[str, Any] | None = None  # {"stringValue"|"numberValue"|"boolValue"|"formulaValue": v}
    fmt: dict[str, Any] = field(default_factory=dict)  # userEnteredFormat
    note: str | None = None

    def copy(self) -> Cell:
        import copy as _copy

        return Cell(_copy.deepcopy(self.uev), _copy.deepcopy(self.fmt), self.note)


def date_to_serial(d: dt.date | dt.datetime) -> float:
    if isinstance(d, dt.datetime):
        delta = d - dt.datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400.0
    return float((d - EPOCH).days)


def serial_to_datetime(serial: float) -> dt.datetime:
    return dt.datetime(1899, 12, 30) + dt.timedelta(days=serial)


def _num_parts(locale: str) -> tuple[str, str]:
    if locale in COMMA_DECIMAL_LOCALES or locale.split("_")[0] in COMMA_DECIMAL_LOCALES:
        return ",", "."
    return ".", ","


_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_DATE_SLASH = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_user_entered(text: str, locale: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Parse a USER_ENTERED string. Returns (userEnteredValue, numberFormat or None)."""
    if text.startswith("'"):
        return {"stringValue": text[1:]}, None
    if text.startswith("=") and len(text) > 1:
        return {"formulaValue": text}, None
    s = text.strip()
    if s.upper() in ("TRUE", "FALSE"):
        return {"boolValue": s.upper() == "TRUE"}, None
    dec, grp = _num_parts(locale)
    num = _parse_number(s, dec, grp)
    if num is not None:
        value, pct = num
        if pct:
            return {"numberValue": value}, {
                "type": "PERCENT",
                "pattern": "0%" if value * 100 == int(value * 100) else "0.00%",
            }
        return {"numberValue": value}, None
    m = _DATE_ISO.match(s)
    if m:
        try:
            d = dt.datetime(
                int(m.group(1)),
                int(m.group(2)),
                int(m.group(3)),
                int(m.group(4) or 0),
                int(m.group(5) or 0),
                int(m.group(6) or 0),
            )
        except ValueError:
            return {"stringValue": text}, None
        if m.group(4):
            return {"numberValue": date_to_serial(d)}, {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm:ss"}
        return {"numberValue": date_to_serial(d.date())}, {"type": "DATE", "pattern": "yyyy-mm-dd"}
    m = _DATE_SLASH.match(s)
    if m:
        a, sep, b, y = int(m.group(1)), m.group(2), int(m.group(3)), m.group(4)
        year = int(y) + (2000 if int(y) < 30 else 1900) if len(y) == 2 else int(y)
        month_first = locale in MONTH_FIRST_LOCALES
        month, day = (a, b) if month_first else (b, a)
        try:
            d = dt.datetime(
                year, month, day, int(m.group(5) or 0), int(m.group(6) or 0), int(m.group(7) or 0)
            )
        except ValueError:
            return {"stringValue": text}, None
        pattern = f"m{sep}d{sep}yyyy" if month_first else f"dd{sep}mm{sep}yyyy"
        if m.group(5):
            return {"numberValue": date_to_serial(d)}, {"type": "DATE_TIME", "pattern": pattern + " hh:mm:ss"}
        return {"numberValue": date_to_serial(d.date())}, {"type": "DATE", "pattern": pattern}
    m = _TIME.match(s)
    if m:
        h, mi, se = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if h < 24 and mi < 60 and se < 60:
            return {"numberValue": (h * 3600 + mi * 60 + se) / 86400.0}, {
                "type": "TIME",
                "pattern": "hh:mm:ss" if m.group(3) else "hh:mm",
            }
    return {"stringValue": text}, None


def _parse_number(s: str, dec: str, grp: str) -> tuple[float, bool] | None:
    pct = s.endswith("%")
    body = s[:-1].strip() if pct else s
    if not body:
        return None
    sign = 1.0
    if body[0] in "+-":
        sign = -1.0 if body[0] == "-" else 1.0
        body = body[1:]
    if not body:
        return None
    if grp in body:
        intpart = body.split(dec)[0]
        groups = intpart.split(grp)
        if not groups[0] or len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:]):
            return None
        body = body.replace(grp, "")
    body = body.replace(dec, ".") if dec != "." else body
    if not re.match(r"^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$", body):
        return None
    value = sign * float(body)
    if pct:
        value = value / 100.0
    return value, pct


def raw_input_value(v: Any) -> dict[str, Any] | None:
    """RAW input: strings stay strings, numbers/bools stay typed."""
    if v is None:
        return None
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, (int, float)):
        return {"numberValue": float(v)}
    return {"stringValue": str(v)}


def user_entered_value(v: Any, locale: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    if v is None:
        return None, None
    if isinstance(v, bool):
        return {"boolValue": v}, None
    if isinstance(v, (int, float)):
        return {"numberValue": float(v)}, None
    return parse_user_entered(str(v), locale)


# ---------------------------------------------------------------- rendering


def json_number(x: float) -> int | float:
    if isinstance(x, float) and x.is_integer() and abs(x) < 2**53:
        return int(x)
    return x


def format_general_number(x: float, locale: str) -> str:
    if isinstance(x, float) and (math.isinf(x) or math.isnan(x)):
        return "#NUM!"
    if float(x).is_integer() and abs(x) < 1e15:
        s = str(int(x))
    else:
        ax = abs(x)
        if ax >= 1e15 or ax < 1e-9:
            s = f"{x:.5E}".replace("E+", "E+").replace(".00000", "")
        else:
            digits = max(0, 10 - len(str(int(ax))))
            s = f"{x:.{digits}f}".rstrip("0").rstrip(".")
    dec, _ = _num_parts(locale)
    if dec != ".":
        s = s.replace(".", dec)
    return s


def format_with_pattern(x: float, number_format: dict[str, Any], locale: str) -> str:
    ftype = number_format.get("type", "NUMBER")
    pattern = number_format.get("pattern", "")
    if ftype in ("DATE", "DATE_TIME", "TIME"):
        return format_datetime(serial_to_datetime(x), pattern)
    if ftype == "PERCENT":
        decimals = len(pattern.split(".")[1].rstrip("%")) if "." in pattern else 0
        s = f"{x * 100:.{decimals}f}%"
        dec, _ = _num_parts(locale)
        return s.replace(".", dec) if dec != "." else s
    if ftype == "TEXT":
        return format_general_number(x, locale)
    if pattern and re.fullmatch(r"[#,0]*0(\.0+)?", pattern):
        decimals = len(pattern.split(".")[1]) if "." in pattern else 0
        s = f"{x:,.{decimals}f}" if "," in pattern else f"{x:.{decimals}f}"
        dec, grp = _num_parts(locale)
        if dec != ".":
            s = s.replace(",", "\0").replace(".", dec).replace("\0", grp)
        return s
    return format_general_number(x, locale)


def format_datetime(d: dt.datetime, pattern: str) -> str:
    tokens = re.findall(r"yyyy|yy|mm|m|dd|d|hh|h|ss|s|am/pm|[^ymdhs]+", pattern, flags=re.I)
    out = []
    prev_hour = False
    for i, tok in enumerate(tokens):
        low = tok.lower()
        nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
        nxt2 = tokens[i + 2].lower() if i + 2 < len(tokens) else ""
        if low == "yyyy":
            out.append(f"{d.year:04d}")
        elif low == "yy":
            out.append(f"{d.year % 100:02d}")
        elif low in ("mm", "m"):
            is_minute = prev_hour or nxt.startswith("s") or nxt2.startswith("s")
            val = d.minute if is_minute else d.month
            out.append(f"{val:02d}" if low == "mm" else str(val))
        elif low == "dd":
            out.append(f"{d.day:02d}")
        elif low == "d":
            out.append(str(d.day))
        elif low == "hh":
            out.append(f"{d.hour:02d}")
        elif low == "h":
            out.append(str(d.hour))
        elif low == "ss":
            out.append(f"{d.second:02d}")
        elif low == "s":
            out.append(str(d.second))
        else:
            out.append(tok)
        if low in ("hh", "h"):
            prev_hour = True
        elif low not in (":",) and not low.strip(": ") or low.strip(": ") == "":
            pass
        else:
            prev_hour = False
    return "".join(out)


def render(
    cell: Cell | None,
    value_render: str,
    datetime_render: str,
    locale: str,
    evaluate: Callable[[str], Any],
) -> Any:
    """Render one cell for values.get. Returns "" for empty."""
    if cell is None or cell.uev is None:
        return ""
    uev = cell.uev
    if value_render == "FORMULA" and "formulaValue" in uev:
        return uev["formulaValue"]
    if "formulaValue" in uev:
        eff = evaluate(uev["formulaValue"])
    elif "numberValue" in uev:
        eff = float(uev["numberValue"])
    elif "boolValue" in uev:
        eff = bool(uev["boolValue"])
    elif "errorValue" in uev:
        eff = FormulaError(uev["errorValue"].get("type", "ERROR"))
    else:
        eff = str(uev.get("stringValue", ""))
    return render_effective(eff, cell.fmt.get("numberFormat"), value_render, datetime_render, locale)


class FormulaError:
    def __init__(self, code: str) -> None:
        self.code = code

    def __str__(self) -> str:
        return self.code


def render_effective(
    eff: Any, number_format: dict[str, Any] | None, value_render: str, datetime_render: str, locale: str
) -> Any:
    if isinstance(eff, FormulaError):
        return str(eff)
    if isinstance(eff, bool):
        if value_render == "FORMATTED_VALUE":
            return "TRUE" if eff else "FALSE"
        return eff
    if isinstance(eff, (int, float)):
        is_date = number_format is not None and number_format.get("type") in (
            "DATE",
            "DATE_TIME",
            "TIME",
        )
        if value_render == "FORMATTED_VALUE":
            if number_format:
                return format_with_pattern(float(eff), number_format, locale)
            return format_general_number(float(eff), locale)
        if is_date and datetime_render == "FORMATTED_STRING" and number_format:
            return format_with_pattern(float(eff), number_format, locale)
        return json_number(float(eff))
    return eff


# ---------------------------------------------------------------- formulas

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)|(?P<str>\"(?:[^\"]|\"\")*\")"
    r"|(?P<ref>\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)(?![A-Za-z0-9_(])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_.]*)|(?P<op><>|<=|>=|[-+*/^&(),;=<>%]))"
)


class _Parser:
    def __init__(self, text: str, lookup: Callable[[int, int], Any], now: Callable[[], dt.datetime]):
        self.toks: list[tuple[str, str]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise ValueError("bad token")
            kind = m.lastgroup or "op"
            self.toks.append((kind, m.group(kind)))
            pos = m.end()
            while pos < len(text) and text[pos] == " ":
                pos += 1
        self.i = 0
        self.lookup = lookup
        self.now = now

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect(self, op: str) -> None:
        t = self.peek()
        if t is None or t[1] != op:
            raise ValueError("expected " + op)
        self.i += 1

    def parse(self) -> Any:
        v = self.comparison()
        if self.peek() is not None:
            raise ValueError("trailing")
        return v

    def comparison(self) -> Any:
        left = self.concat()
        while (t := self.peek()) and t[1] in ("=", "<>", "<", ">", "<=", ">="):
            op = self.take()[1]
            right = self.concat()
            a, b = _scalar(left), _scalar(right)
            left = {
                "=": a == b,
                "<>": a != b,
                "<": a < b,
                ">": a > b,
                "<=": a <= b,
                ">=": a >= b,
            }[op]
        return left

    def concat(self) -> Any:
        left = self.additive()
        while (t := self.peek()) and t[1] == "&":
            self.take()
            left = _text(left) + _text(self.additive())
        return left

    def additive(self) -> Any:
        left = self.term()
        while (t := self.peek()) and t[1] in "+-" and t[0] == "op":
            op = self.take()[1]
            right = self.term()
            left = _num(left) + _num(right) if op == "+" else _num(left) - _num(right)
        return left

    def term(self) -> Any:
        left = self.power()
        while (t := self.peek()) and t[1] in ("*", "/") and t[0] == "op":
            op = self.take()[1]
            right = self.power()
            if op == "*":
                left = _num(left) * _num(right)
            else:
                d = _num(right)
                if d == 0:
                    raise _Err("#DIV/0!")
                left = _num(left) / d
        return left

    def power(self) -> Any:
        left = self.unary()
        while (t := self.peek()) and t[1] == "^":
            self.take()
            left = _num(left) ** _num(self.unary())
        return left

    def unary(self) -> Any:
        t = self.peek()
        if t and t[1] == "-" and t[0] == "op":
            self.take()
            return -_num(self.unary())
        if t and t[1] == "+" and t[0] == "op":
            self.take()
            return _num(self.unary())
        v = self.atom()
        if (t := self.peek()) and t[1] == "%":
            self.take()
            v = _num(v) / 100
        return v

    def atom(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind == "ref":
            from .a1 import parse_cells

            rng = parse_cells(text.replace("$", ""))
            assert rng.start_row is not None and rng.start_col is not None
            assert rng.end_row is not None and rng.end_col is not None
            if rng.single_cell:
                return self.lookup(rng.start_row, rng.start_col)
            return [
                self.lookup(r, c)
                for r in range(rng.start_row, rng.end_row)
                for c in range(rng.start_col, rng.end_col)
            ]
        if kind == "name":
            upper = text.upper()
            if upper in ("TRUE", "FALSE") and not (self.peek() and self.peek()[1] == "("):  # type: ignore[index]
                return upper == "TRUE"
            self.expect("(")
            args: list[Any] = []
            if not (self.peek() and self.peek()[1] == ")"):  # type: ignore[index]
                args.append(self.comparison())
                while (t := self.peek()) and t[1] in (",", ";"):
                    self.take()
                    args.append(self.comparison())
            self.expect(")")
            return _call(upper, args, self.now)
        if text == "(":
            v = self.comparison()
            self.expect(")")
            return v
        raise ValueError("unexpected " + text)


class _Err(Exception):
    pass


def _scalar(v: Any) -> Any:
    if isinstance(v, list):
        return v[0] if v else ""
    return v


def _num(v: Any) -> float:
    v = _scalar(v)
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    if v == "" or v is None:
        return 0.0
    try:
        return float(v)
    except (TypeError, ValueError):
        raise _Err("#VALUE!") from None


def _text(v: Any) -> str:
    v = _scalar(v)
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return format_general_number(v, "en_US")
    return "" if v is None else str(v)


def _flat(args: list[Any]) -> list[Any]:
    out: list[Any] = []
    for a in args:
        out.extend(a if isinstance(a, list) else [a])
    return out


def _call(name: str, args: list[Any], now: Callable[[], dt.datetime]) -> Any:
    nums = [x for x in _flat(args) if isinstance(x, (int, float)) and not isinstance(x, bool)]
    if name == "SUM":
        return float(sum(nums))
    if name == "MIN":
        return float(min(nums)) if nums else 0.0
    if name == "MAX":
        return float(max(nums)) if nums else 0.0
    if name == "AVERAGE":
        if not nums:
            raise _Err("#DIV/0!")
        return float(sum(nums)) / len(nums)
    if name == "COUNT":
        return float(len(nums))
    if name == "COUNTA":
        return float(len([x for x in _flat(args) if x != ""]))
    if name == "IF":
        cond = _scalar(args[0]) if args else False
        truthy = bool(_num(cond)) if not isinstance(cond, str) else cond != ""
        if truthy:
            return args[1] if len(args) > 1 else True
        return args[2] if len(args) > 2 else False
    if name == "CONCATENATE":
        return "".join(_text(x) for x in _flat(args))
    if name == "LEN":
        return float(len(_text(args[0])))
    if name == "UPPER":
        return _text(args[0]).upper()
    if name == "LOWER":
        return _text(args[0]).lower()
    if name == "TRIM":
        return " ".join(_text(args[0]).split())
    if name == "ROUND":
        digits = int(_num(args[1])) if len(args) > 1 else 0
        return float(round(_num(args[0]), digits))
    if name == "HYPERLINK":
        return _text(args[1]) if len(args) > 1 else _text(args[0])
    if name == "TODAY":
        return date_to_serial(now().date())
    if name == "NOW":
        return date_to_serial(now().replace(tzinfo=None))
    if name == "DATE":
        return date_to_serial(dt.date(int(_num(args[0])), int(_num(args[1])), int(_num(args[2]))))
    raise _Err("#NAME?")


def evaluate_formula(formula: str, lookup: Callable[[int, int], Any], now: Callable[[], dt.datetime]) -> Any:
    try:
        v = _Parser(formula[1:], lookup, now).parse()
    except _Err as e:
        return FormulaError(str(e))
    except RecursionError:
        return FormulaError("#REF!")
    except (ValueError, IndexError, TypeError, OverflowError, AssertionError):
        return FormulaError("#ERROR!")
    v = _scalar(v)
    if v is None:
        return 0.0
    return v
