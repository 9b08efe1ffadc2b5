"""A faster reader of PDF content streams for pdfminer's page interpreter.

pdfminer tokenises a content stream one byte-class at a time in Python, some
5 µs a token; a ruled SOP table page holds tens of thousands of tokens, and that
was half of reading it. :func:`content_objects` splits the streams with one
regular expression into the very objects pdfminer's ``PDFContentParser`` gives
(numbers, booleans, literals, strings, keywords, arrays, dictionaries, in the
same order and of the same types), and :class:`FastPageInterpreter` runs them
through pdfminer's own operators.

Anything outside the common grammar (an inline image, a procedure, a name with
``#`` escapes, an unbalanced array or dictionary, an unterminated string) makes
:func:`content_objects` return None, and the interpreter then reads the streams
with pdfminer's parser, exactly as before.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from pdfminer import settings
from pdfminer.pdfinterp import PDFContentParser, PDFInterpreterError, PDFPageInterpreter
from pdfminer.pdftypes import PDFStream, stream_value
from pdfminer.psparser import (
    HEX_PAIR,
    KWD,
    LIT,
    SPC,
    PSKeyword,
    literal_name,
)

log = logging.getLogger(__name__)

# One token per match, after the whitespace and NULs before it (pdfminer skips
# them), by its first byte as pdfminer's ``_parse_main`` decides: % starts a comment, [+-0-9] a number, . a float,
# a letter a keyword, / a name, ( a string, << and >> a dictionary, < a hex string,
# a lone > nothing, any other byte a one-byte keyword ([, ], {, }, ', ", ...).
_TOKEN = re.compile(
    rb"""
    [\x00\t\n\x0b\x0c\r ]*
    (?:
    (?P<number>(?:[+\-][0-9]*|[0-9]+)(?:\.[0-9]*)?|\.[0-9]*)
    |(?P<keyword>[A-Za-z][^#/%\[\]()<>{}\t\n\x0b\x0c\r ]*)
    |(?P<name>/[^#/%\[\]()<>{}\t\n\x0b\x0c\r ]*)(?P<hash>\#?)
    |(?P<string>\()
    |(?P<comment>%[^\r\n]*)
    |(?P<open><<)
    |(?P<hex><[0-9A-Fa-f\t\n\x0b\x0c\r ]*)(?P<hexend>>?)(?P<hexclose>>?)
    |(?P<close>>>)
    |(?P<gt>>)
    |(?P<byte>.)
    |(?P<end>\Z)
    )
    """,
    re.VERBOSE | re.DOTALL,
)
#: Inside a literal string: the bytes that end a run of plain text.
_STRING_STOP = re.compile(rb"[()\\]")
_OCTAL = b"01234567"
_ESCAPES = {
    ord("n"): b"\n",
    ord("r"): b"\r",
    ord("t"): b"\t",
    ord("b"): b"\b",
    ord("f"): b"\f",
    ord("("): b"(",
    ord(")"): b")",
    ord("\\"): b"\\",
}
_ARRAY_BEGIN, _ARRAY_END = KWD(b"["), KWD(b"]")
_UNSUPPORTED = {KWD(b"{"), KWD(b"}"), KWD(b"BI"), KWD(b"ID")}
_TRUE, _FALSE = b"true", b"false"
#: Tokens pdfminer leaves open at a stream's end without ending them there (a name
#: may go on, a ``>`` may be the first of ``>>``).
_OPEN_AT_END = {"hash", "gt", "hexclose"}
#: pdfminer reads a content stream in pieces of this size (``PSBaseParser.BUFSIZ``).
_READ_SIZE = PDFContentParser.BUFSIZ


class _Unsupported(Exception):
    """Something pdfminer's parser reads in its own (rarer) way."""


def _string(data: bytes, start: int) -> tuple[bytes, int]:
    """A literal string from just after its ``(``, as pdfminer reads it (nested
    parentheses kept, escapes and octal codes decoded, an unknown escape
    dropped, a backslash before a line end joining the lines), and the position
    after its closing ``)``."""
    parts: list[bytes] = []
    depth = 1
    i = start
    end = len(data)
    while True:
        m = _STRING_STOP.search(data, i)
        if m is None:
            raise _Unsupported("unterminated string")
        j = m.start()
        parts.append(data[i:j])
        c = data[j]
        if c == 0x28:  # (
            depth += 1
            parts.append(b"(")
            i = j + 1
        elif c == 0x29:  # )
            depth -= 1
            if not depth:
                return b"".join(parts), j + 1
            parts.append(b")")
            i = j + 1
        else:  # backslash
            i = j + 1
            if i >= end:
                raise _Unsupported("unterminated string")
            c = data[i]
            if c in _OCTAL:
                k = i
                while k < end and k - i < 3 and data[k] in _OCTAL:
                    k += 1
                code = int(data[i:k], 8)
                if code > 255:  # pdfminer fails an assertion here
                    raise _Unsupported("octal code over 255")
                parts.append(bytes((code,)))
                i = k
            elif c in _ESCAPES:
                parts.append(_ESCAPES[c])
                i += 1
            elif c == 0x0D:  # pdfminer drops the \n of \r\n only inside one 4 KB read
                raise _Unsupported("escaped carriage return")
            else:  # an unknown escape, or a line end: the byte is dropped
                i += 1


def _close_dictionary(
    stack: list[tuple[str, list[Any]]], items: list[Any]
) -> tuple[dict[str, Any], list[Any]]:
    """The dictionary ``items`` (keys and values alternating) make at a ``>>``,
    as pdfminer builds it (a None value drops its key), and the list it goes
    into (popped from ``stack``)."""
    if not stack or stack[-1][0] != "d" or len(items) % 2:
        raise _Unsupported("unbalanced dictionary")
    outer = stack.pop()[1]
    return {
        literal_name(items[k]): items[k + 1]
        for k in range(0, len(items), 2)
        if items[k + 1] is not None
    }, outer


def content_objects(streams: Sequence[bytes]) -> list[Any] | None:
    """The objects pdfminer's ``PDFContentParser`` reads from these decoded
    content streams, in order; None where they hold something it reads in its
    own way (then use pdfminer's parser).

    pdfminer reads the streams one after the other, 4 KB at a time; where a
    token ends at a stream's end it ends it as a line end would, so the streams
    are read here joined by one. Where its reading depends on those seams (a
    ``<<`` or ``>>`` cut by a 4 KB read; a name, ``<`` or ``>`` cut by a
    stream's end; a string running over it), the streams are left to pdfminer.
    """
    data = b"\n".join(streams) + b"\n"
    seams: set[int] = set()  # where pdfminer starts a new 4 KB read of a stream
    joins: list[int] = []  # the line ends put between streams
    offset = 0
    for stream in streams:
        seams.update(range(offset + _READ_SIZE, offset + len(stream), _READ_SIZE))
        offset += len(stream)
        joins.append(offset)
        offset += 1
    if joins:  # the line end after the last stream: pdfminer ends a token at EOF too
        joins.pop()
    next_join = joins.pop(0) if joins else -1
    top: list[Any] = []
    stack: list[tuple[str, list[Any]]] = []  # open arrays ("a") and dictionaries ("d")
    current = top
    pos = 0
    match = _TOKEN.match
    try:
        while True:
            m = match(data, pos)
            assert m is not None  # the last alternatives match any byte and the end
            kind = m.lastgroup or ""
            pos = m.end()
            obj: Any
            if kind == "number":
                text = m.group(kind)
                try:
                    obj = float(text) if b"." in text else int(text)
                except ValueError:  # a lone sign or dot: pdfminer drops it
                    obj = None
            elif kind == "keyword":
                text = m.group(kind)
                obj = True if text == _TRUE else False if text == _FALSE else KWD(text)
            elif kind == "hash":
                if m.group("hash"):
                    raise _Unsupported("name with # escapes")
                raw = m.group("name")[1:]
                try:
                    obj = LIT(str(raw, "utf-8"))
                except UnicodeDecodeError:
                    obj = LIT(raw)
            elif kind == "string":
                obj, pos = _string(data, pos)
            elif kind == "hexclose":
                if not m.group("hexend"):
                    raise _Unsupported("hex string not ended by >")
                if m.group("hexclose") and pos - 1 in seams:
                    raise _Unsupported(">> cut by a read")
                obj = HEX_PAIR.sub(
                    lambda pair: bytes((int(pair.group(0), 16),)),
                    SPC.sub(b"", m.group("hex")[1:]),
                )
            elif kind == "open" or kind == "close":
                if m.start(kind) + 1 in seams:
                    raise _Unsupported("<< or >> cut by a read")
                obj = None
            elif kind == "byte":
                obj = KWD(m.group(kind))
            elif kind == "end":
                break
            else:  # a comment, a lone >
                obj = None
            while 0 <= next_join <= pos:
                if m.start(kind) < next_join < pos or (pos == next_join and kind in _OPEN_AT_END):
                    raise _Unsupported("token cut by the end of a stream")
                if next_join == pos:
                    break
                next_join = joins.pop(0) if joins else -1
            if obj is None:
                if kind == "close":
                    obj, current = _close_dictionary(stack, current)
                elif kind == "open":
                    stack.append(("d", current))
                    current = []
                    continue
                else:
                    continue
            elif kind == "hexclose" and m.group("hexclose"):
                current.append(obj)  # "<..>>": pdfminer reads the second > as >>
                obj, current = _close_dictionary(stack, current)
            elif obj.__class__ is PSKeyword:
                if obj is _ARRAY_BEGIN:
                    stack.append(("a", current))
                    current = []
                    continue
                if obj is _ARRAY_END:
                    if not stack or stack[-1][0] != "a":
                        raise _Unsupported("unbalanced array")
                    obj = current
                    current = stack.pop()[1]
                elif obj in _UNSUPPORTED:
                    raise _Unsupported("inline image or procedure")
            current.append(obj)
        if stack:
            raise _Unsupported("unclosed array or dictionary")
    except _Unsupported as exc:
        log.debug("content stream left to pdfminer: %s", exc)
        return None
    return top


#: Decoded bytes of a page's (or form's) content read here at most: the objects
#: are all held at once, where pdfminer reads them one by one.
MAX_FAST_BYTES = 1024 * 1024


class FastPageInterpreter(PDFPageInterpreter):
    """pdfminer's page interpreter reading content streams with
    :func:`content_objects` (falling back to pdfminer's parser)."""

    def execute(self, streams: Sequence[object]) -> None:
        valid: list[PDFStream] = []
        self.stream_ids.clear()
        for obj in streams:
            stream = stream_value(obj)
            if stream.objid is None or stream.objid in self.parent_stream_ids:
                return super().execute(streams)  # pdfminer warns and skips these
            valid.append(stream)
            self.stream_ids.add(stream.objid)
        data = [stream.get_data() for stream in valid]
        objects = content_objects(data) if sum(map(len, data)) <= MAX_FAST_BYTES else None
        if objects is None:
            return super().execute(streams)
        for obj in objects:
            if not isinstance(obj, PSKeyword):
                self.push(obj)
                continue
            name = str(obj.name, "utf-8", "ignore")
            method = "do_" + name.replace("*", "_a").replace('"', "_w").replace("'", "_q")
            func = getattr(self, method, None)
            if func is None:
                if settings.STRICT:
                    raise PDFInterpreterError(f"Unknown operator: {name!r}")
                continue
            nargs = func.__code__.co_argcount - 1
            if nargs:
                args = self.pop(nargs)
                if len(args) == nargs:
                    func(*args)
            else:
                func()
        return None


__all__ = ["FastPageInterpreter", "content_objects"]
