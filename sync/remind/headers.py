"""Subject and address headers that every mail reader reads back as written.

The standard library's folder (``email.policy.default``) encodes a Vietnamese subject as
RFC 2047 encoded words but, when it folds the line, may leave a space *between* two encoded
words, where RFC 2047 §6.2 tells readers to drop it: 18 of An Giang's 118 subjects came out
as “UBND xã Tri Tôn – cậpnhật …” in every reader. Here a text is cut into encoded words of
whole characters, every space *inside* a word, and the words are joined by folds (a line
break and a space) that readers remove; the values are stored as they are
(``Message.set_raw``) and written without refolding (``POLICY``).
"""

from __future__ import annotations

import base64
import re
from email.policy import SMTP

#: UTF-8 bytes per encoded word: 56 base64 characters, a 68-character word, so that
#: ``Subject: `` and a word stay within the 78 characters of RFC 5322 §2.1.1.
WORD_BYTES = 42
#: The message's policy: CRLF line ends (SMTP), bodies as quoted-printable or base64 (7bit:
#: no server on the way needs 8BITMIME), and header values set raw written as they are.
POLICY = SMTP.clone(cte_type="7bit", refold_source="none")


def _chunks(pieces: list[str]) -> list[str]:
    """``pieces`` packed in order into chunks of at most ``WORD_BYTES``; a longer piece is cut between characters."""
    chunks: list[str] = []
    chunk, size = "", 0
    for piece in pieces:
        for part in [piece] if len(piece.encode("utf-8")) <= WORD_BYTES else list(piece):
            n = len(part.encode("utf-8"))
            if chunk and size + n > WORD_BYTES:
                chunks.append(chunk)
                chunk, size = "", 0
            chunk, size = chunk + part, size + n
    return [*chunks, chunk] if chunk else chunks


def _encode(chunks: list[str]) -> list[str]:
    return [f"=?utf-8?b?{base64.b64encode(c.encode('utf-8')).decode('ascii')}?=" for c in chunks]


def encoded_words(text: str) -> list[str]:
    """``text`` as RFC 2047 encoded words (UTF-8, base64), each holding whole characters."""
    return _encode(_chunks(list(text)))


def phrase_words(text: str) -> list[str]:
    """A display name as encoded words: one word when it fits; otherwise cut only after a space.

    Readers that follow RFC 2047 drop the fold between two encoded words; the standard library's
    address parser puts a space there instead. Cut after a space, a name reads exactly in the
    former and at worst with that space doubled in the latter, never with a word cut in two
    (“nôn g thôn”). Every An Giang unit's name fits one word.
    """
    return _encode(_chunks(re.findall(r"\S+\s*|\s+", text)))


def _plain(text: str, room: int) -> bool:
    """Whether ``text`` can go as it is: printable ASCII, short enough, nothing that looks encoded."""
    return text.isascii() and text.isprintable() and len(text) <= room and "=?" not in text


def subject_value(text: str) -> str:
    """The ``Subject`` value: plain when it is short ASCII, otherwise folded encoded words."""
    if _plain(text, 78 - len("Subject: ")):
        return text
    return "\n ".join(encoded_words(text))


def address_value(mailboxes: list[tuple[str, str]]) -> str:
    """A ``To`` value for ``(display name, address)`` pairs, each name as encoded words.

    Addresses are ASCII (``sync.config.EMAIL_ADDRESS``); a name is always encoded, so that
    no comma, quote or bracket in it needs quoting.
    """
    parts = []
    for name, address in mailboxes:
        words = phrase_words(name) if name else []
        parts.append("\n ".join([*words, f"<{address}>"]))
    return ",\n ".join(parts)
