"""A reminder's subject and the unit's name read back as written, by two independent mail readers (issue 18).

The readers: the standard library's ``email`` parser and ``fast_mail_parser`` (the Rust crate
``mailparse``), which share no code. The standard library's own header folder lost a space in
18 of An Giang's 118 subjects (“… –cập nhật …”): every unit of both provinces is checked here,
then any name hypothesis can make of Vietnamese letters, spaces and punctuation.
"""

from __future__ import annotations

import csv
import email
import email.header
from datetime import date
from email.message import EmailMessage
from email.policy import default
from importlib import resources

import fast_mail_parser
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.remind.headers import POLICY, phrase_words
from sync.remind.mail import message
from sync.remind.notices import Notice, subject

SENDER = "vanphong@angiang.gov.vn"
ADDRESSES = ("vanthu@donvi.angiang.gov.vn", "lanhdao.van.phong.rat.dai@donvi.angiang.gov.vn")
CUTOFF = date(2025, 10, 25)


def units() -> list[tuple[str, str]]:
    out = []
    for table in ("an-giang-2025-units.csv", "kien-giang-units.csv"):
        text = resources.files("sync.data").joinpath(table).read_text(encoding="utf-8")
        out += [(row["code"], row["name"]) for row in csv.DictReader(text.splitlines())]
    return out


def notice(name: str) -> Notice:
    return Notice(
        unit="X",
        unit_name=name,
        recipients=ADDRESSES,
        subject=subject(name, CUTOFF),
        text=f"Kính gửi: {name}\n",
        html=f"<p>Kính gửi: {name}</p>",
        attachment=b"PK",
        attachment_name="X-can-sua-2025-10.xlsx",
        digest="0",
    )


def problems(name: str) -> list[str]:
    """How each reader misreads the subject or the ``To`` names of ``name``'s notice (empty: none)."""
    n = notice(name)
    data = message(n, SENDER).as_bytes(policy=POLICY)
    wanted = [(name, a) for a in ADDRESSES]
    std = email.message_from_bytes(data, policy=default)
    assert isinstance(std, EmailMessage)
    rust = fast_mail_parser.parse_email(data)
    found = []
    if str(std["Subject"]) != n.subject:
        found.append(f"email: {std['Subject']!r}")
    names = [(a.display_name, a.addr_spec) for a in std["To"].addresses]
    if len(phrase_words(name)) > 1:
        # The standard library's address parser puts a space between two encoded words where
        # RFC 2047 §6.2 drops it (mailparse does): a name cut after a space reads there with
        # that space doubled, never with a word cut in two. Words compared.
        names = [(" ".join(shown.split()), a) for shown, a in names]
        wanted_here = [(" ".join(name.split()), a) for _, a in wanted]
    else:
        wanted_here = wanted
    if names != wanted_here:
        found.append(f"email To: {std['To']!r}")
    if rust.subject != n.subject:
        found.append(f"mailparse: {rust.subject!r}")
    if [(a.display_name, a.address) for a in rust.to] != wanted:
        found.append(f"mailparse To: {[(a.display_name, a.address) for a in rust.to]!r}")
    head = data.split(b"\r\n\r\n", 1)[0]
    long = [line for line in head.split(b"\r\n") if len(line) > 78]
    if long:
        found.append(f"lines over 78 characters: {long!r}")
    return found


def test_every_units_subject_and_name_read_back_by_both_readers() -> None:
    everyone = units()
    assert len(everyone) == 118 + 37
    wrong = {code: p for code, name in everyone if (p := problems(name))}
    assert wrong == {}


def test_the_subject_as_the_unit_reads_it() -> None:
    n = notice("UBND xã Tri Tôn")
    assert n.subject == "Nhắc việc: UBND xã Tri Tôn – cập nhật nhiệm vụ trước ngày 25/11/2025"
    assert problems(n.unit_name) == []


def test_every_an_giang_name_is_one_encoded_word_and_long_names_are_cut_between_words() -> None:
    assert all(len(phrase_words(name)) == 1 for code, name in units()[:118])
    words = phrase_words("Sở Nông nghiệp và Phát triển nông thôn")
    shown = [email.header.decode_header(w)[0][0].decode("utf-8") for w in words]  # type: ignore[union-attr]
    assert shown == ["Sở Nông nghiệp và Phát triển ", "nông thôn"]


#: What a unit's name is made of: words of Vietnamese letters (NFC), digits and the punctuation of names.
NAME_CHARS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
    "áàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
    "ÁÀẢÃẠẮẰẲẴẶẤẦẨẪẬÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ"
    "0123456789,.;:-–()/&'\"“”=?_"
)
#: A name: up to 16 words of up to 9 characters (the longest Vietnamese syllable has 7 letters).
NAMES = st.lists(st.text(alphabet=NAME_CHARS, min_size=1, max_size=9), min_size=1, max_size=16).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(NAMES)
def test_any_name_reads_back_by_both_readers(name: str) -> None:
    assert problems(name) == []
