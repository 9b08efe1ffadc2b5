"""The fast content-stream reader gives exactly what pdfminer's parser gives, or
nothing (then pdfminer reads the stream); the lean page objects are pdfplumber's.

Checked on every content stream of the real PDFs in tests/data/realdocs, on a
table of the grammar's corners, and on random token soups split into streams and
read in small pieces (so that every seam pdfminer reads in its own way is met).
"""

from __future__ import annotations

import io
from typing import Any

import pdfplumber
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pdfminer.pdfinterp import PDFContentParser, PDFPageInterpreter
from pdfminer.pdftypes import PDFStream, resolve1, stream_value
from pdfminer.psparser import PSEOF, PSKeyword, PSLiteral
from pdfplumber.page import PDFPageAggregatorWithMarkedContent

from sopdata.ingest import pdf_content
from sopdata.ingest.pdf import CHAR_KEYS, SHAPE_KEYS, _bounded_layout, page_objects
from sopdata.ingest.pdf_content import FastPageInterpreter, content_objects
from tests.support.paths import TEST_DATA
from tests.support.sopfiles import pdf_file

REAL_PDFS = sorted((TEST_DATA / "realdocs" / "docs").glob("*.pdf"))


def _typed(obj: Any) -> Any:
    """An object with every value's type made explicit (1, 1.0 and True differ)."""
    if isinstance(obj, list):
        return ["array", [_typed(x) for x in obj]]
    if isinstance(obj, dict):
        return ["dict", {k: _typed(v) for k, v in obj.items()}]
    if isinstance(obj, (PSKeyword, PSLiteral)):
        return [type(obj).__name__, obj.name]
    return [type(obj).__name__, obj]


def pdfminer_objects(streams: list[bytes]) -> list[Any] | None:
    """What pdfminer's own parser reads from these streams (None where it fails)."""
    parser = PDFContentParser([PDFStream({}, data) for data in streams])
    out = []
    try:
        while True:
            out.append(parser.nextobject()[1])
    except PSEOF:
        return out
    except Exception:
        return None


def _content_streams(path: Any) -> list[list[bytes]]:
    """Each page's content streams and each form XObject's, of one PDF."""
    found = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            found.append([stream_value(s).get_data() for s in page.page_obj.contents])
            resources = resolve1(page.page_obj.resources) or {}
            for xobj in (resolve1(resources.get("XObject")) or {}).values():
                xobj = resolve1(xobj)
                if isinstance(xobj, PDFStream) and xobj.get("Subtype").name == "Form":
                    found.append([xobj.get_data()])
    return found


@pytest.mark.parametrize("path", REAL_PDFS, ids=lambda p: p.name[:3])
def test_real_content_streams_are_read_as_pdfminer_reads_them(path) -> None:
    streams = _content_streams(path)
    assert streams
    for data in streams:
        fast = content_objects(data)
        assert fast is not None  # no fallback on these office-made PDFs
        assert _typed(fast) == _typed(pdfminer_objects(data))


SAME = [
    pytest.param([b"1 -2 +3 .5 -.5 4. 0012 1.2.3 - + . -. 9"], id="numbers-and-lone-signs"),
    pytest.param([b"true false null BT ET T* ' \" d0"], id="keywords"),
    pytest.param([b"/F1 12 Tf /Name/Other /  /\xff\xfe Do"], id="names"),
    pytest.param(
        [b"(a(b)c) (x\\(y\\)) (\\101\\1012\\7) (\\n\\t\\q\\\\) (line\\\nend) Tj"], id="strings"
    ),
    pytest.param([b"<48 65 6C6C6F> <414> <> Tj"], id="hex-strings"),
    pytest.param([b"[(A) -250 (B) 3.5 [1 2] /N BT] TJ"], id="nested-arrays-with-keywords"),
    pytest.param([b"/P <</MCID 3 /A [1 2] /D <</E <41>>> >> BDC EMC"], id="dictionaries"),
    pytest.param([b"% a comment\r\n1 0 0 1 0 0 cm %x\n q Q"], id="comments"),
    pytest.param([b"1 0 0 RG 0 0 1 1 re", b"S 2 w", b"", b"Q"], id="streams-joined"),
    pytest.param([b"12", b"34 Tj"], id="number-cut-by-stream-end"),
    pytest.param([b"BT /F1 1 Tf (a) Tj ET\x00\x00 q"], id="nul-bytes"),
    pytest.param([b"> >x 1 >"], id="lone-greater-than"),
]


@pytest.mark.parametrize("streams", SAME)
def test_grammar_corners_are_read_as_pdfminer_reads_them(streams) -> None:
    fast = content_objects(streams)
    assert fast is not None
    assert _typed(fast) == _typed(pdfminer_objects(streams))


LEFT_TO_PDFMINER = [
    pytest.param([b"BI /W 1 /H 1 /BPC 1 ID \x00 EI"], id="inline-image"),
    pytest.param([b"{ 1 2 add }"], id="procedure"),
    pytest.param([b"/A#20B Do"], id="name-with-hash-escape"),
    pytest.param([b"1 2 ] 3"], id="unbalanced-array"),
    pytest.param([b"[1 2"], id="unclosed-array"),
    pytest.param([b"<</A>> BDC"], id="odd-dictionary"),
    pytest.param([b"(never ends"], id="unterminated-string"),
    pytest.param([b"(\\777)"], id="octal-over-255"),
    pytest.param([b"(a\\\r\nb)"], id="escaped-crlf"),
    pytest.param([b"<41zz> Tj"], id="hex-string-not-ended"),
    pytest.param([b"/F", b"1 Tf"], id="name-cut-by-stream-end"),
    pytest.param([b"(a", b"b) Tj"], id="string-over-stream-end"),
    pytest.param([b"<</A 1>", b"> BDC"], id="greater-than-at-stream-end"),
]


@pytest.mark.parametrize("streams", LEFT_TO_PDFMINER)
def test_what_pdfminer_reads_its_own_way_is_left_to_it(streams) -> None:
    assert content_objects(streams) is None


SEAMS = [
    # (streams, pdfminer's read size): a two-byte token cut by a read, or a
    # token that pdfminer leaves open at the end of a stream.
    pytest.param([b"/P <</K <41>>> BDC"], 12, id="hex-then-dict-end-cut"),
    pytest.param([b"/P <</K 1>> BDC"], 4, id="dict-begin-cut"),
    pytest.param([b"/P <</K 1>> BDC"], 10, id="dict-end-cut"),
    pytest.param([b"re", b"/", b"Tj"], 4096, id="name-alone-in-a-stream"),
    pytest.param([b"0 0 m", b"<41>", b">"], 4096, id="hex-at-stream-end"),
]


@pytest.mark.parametrize(("streams", "read_size"), SEAMS)
def test_tokens_cut_where_pdfminer_reads_on_are_left_to_it(streams, read_size) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(PDFContentParser, "BUFSIZ", read_size)
        mp.setattr(pdf_content, "_READ_SIZE", read_size)
        assert content_objects(streams) is None
        # read whole, in one stream: read here, as pdfminer reads it
        mp.setattr(PDFContentParser, "BUFSIZ", 4096)
        mp.setattr(pdf_content, "_READ_SIZE", 4096)
        joined = [b"\n".join(streams)]
        assert _typed(content_objects(joined)) == _typed(pdfminer_objects(joined))


FRAGMENTS = [
    b" ", b"\n", b"\r", b"\x00", b"1", b"-", b"+", b".", b"5", b"0.25", b"BT", b"Tj", b"true",
    b"re", b"'", b"*", b"/F1", b"/", b"(", b")", b"\\", b"\\n", b"\\(", b"\\12", b"\\\n",
    b"<", b">", b"<<", b">>", b"<4", b"1>", b"[", b"]", b"%c\n", b"#", b"{", b"\xe9",
]  # fmt: skip
SEPARATORS = [b" ", b"\n", b"", b"\x00", b"%c\n", b"\r\n"]
_STRING_PARTS = [b"a", b"\\(", b"\\)", b"\\n", b"\\101", b"\\7", b"\\12x", b"\\q", b"\\\n", b" "]
_ATOMS = st.sampled_from(
    [b"1", b"-2", b"+3", b".5", b"-.5", b"4.", b"1.2.3", b"BT", b"Tj", b"true", b"T*", b"'",
     b"/F1", b"/", b"/\xe9", b"<41>", b"<4 1 6>", b"<>"]
) | st.lists(st.sampled_from(_STRING_PARTS), max_size=5).map(
    lambda parts: b"(" + b"(".join(parts[:1]) + b"".join(parts[1:]) + (b")" if parts[:1] else b"") + b")"
)  # fmt: skip


def _joined(tokens: list[bytes], seps: list[bytes]) -> bytes:
    return (
        b"".join(t + seps[i % len(seps)] for i, t in enumerate(tokens))
        if seps
        else b" ".join(tokens)
    )


_TOKENS = st.recursive(
    _ATOMS,
    lambda inner: (
        st.builds(
            lambda items, seps: b"[" + _joined(items, seps) + b"]",
            st.lists(inner, max_size=4),
            st.lists(st.sampled_from(SEPARATORS), max_size=3),
        )
        | st.builds(
            lambda values: b"<<" + b" ".join(b"/K " + v for v in values) + b">>",
            st.lists(inner, max_size=3),
        )
    ),
    max_leaves=12,
)


def _check_against_pdfminer(data: bytes, cuts: list[int], read_size: int) -> bool:
    """The fast reader agrees with pdfminer on ``data`` cut into streams at
    ``cuts`` and read ``read_size`` bytes at a time; whether it read them."""
    bounds = sorted({min(c, len(data)) for c in cuts})
    streams = [data[a:b] for a, b in zip([0, *bounds], [*bounds, len(data)], strict=True)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(PDFContentParser, "BUFSIZ", read_size)
        mp.setattr(pdf_content, "_READ_SIZE", read_size)
        expected = pdfminer_objects(streams)
        fast = content_objects(streams)
    if fast is None:
        return False
    assert expected is not None
    assert _typed(fast) == _typed(expected)
    return True


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(st.sampled_from(FRAGMENTS), max_size=40),
    cuts=st.lists(st.integers(min_value=0, max_value=40), max_size=3),
    read_size=st.integers(min_value=1, max_value=9),
)
def test_random_soups_read_as_pdfminer_or_left_to_it(parts, cuts, read_size) -> None:
    """Byte soups cut into streams and read by pdfminer a few bytes at a time."""
    read = _check_against_pdfminer(b"".join(parts), cuts, read_size)
    event("read here" if read else "left to pdfminer")


@settings(max_examples=200, deadline=None)
@given(
    tokens=st.lists(_TOKENS, max_size=10),
    seps=st.lists(st.sampled_from(SEPARATORS), min_size=1, max_size=4),
    cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=2),
    read_size=st.sampled_from([1, 2, 3, 5, 8, 4096]),
)
def test_random_token_streams_read_as_pdfminer_or_left_to_it(tokens, seps, cuts, read_size) -> None:
    """Well-formed operands (nested arrays, dictionaries, escaped strings) glued by
    any separator, cut into streams, read by pdfminer a few bytes at a time."""
    read = _check_against_pdfminer(_joined(tokens, seps), cuts, read_size)
    event("read here" if read else "left to pdfminer")


def test_random_token_streams_mostly_take_the_fast_road() -> None:
    """The property above is not vacuous: most whole streams are read here."""
    data = _joined(
        [b"<</MCID 3>>", b"[(A\\(b\\)) -250 <4142>]", b"TJ", b"/F1", b"12", b"Tf"], [b" ", b""]
    )
    assert _check_against_pdfminer(data * 50, [], 4096)
    assert _check_against_pdfminer(data.replace(b"<</MCID 3>>", b"") * 50, [], 1)


def _layout_objects(page: Any, interpreter: type) -> dict[str, list[dict[str, Any]]]:
    device = PDFPageAggregatorWithMarkedContent(
        page.pdf.rsrcmgr, pageno=page.page_number, laparams=None
    )
    interpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    page._layout = device.get_result()
    return page_objects(page)


@pytest.mark.parametrize("path", REAL_PDFS[:3], ids=lambda p: p.name[:3])
def test_fast_interpreter_lays_pages_out_as_pdfminer_does(path) -> None:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            fast = _layout_objects(page, FastPageInterpreter)
            assert fast.get("char") and fast.get("line") or fast.get("rect")
            assert fast == _layout_objects(page, PDFPageInterpreter)


def _pdf(content: bytes) -> bytes:
    """A one-page PDF drawing ``content`` with F1, a vertical CID font (Identity-V,
    not embedded: pdfminer stacks its characters downwards), and F2, Helvetica."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] "
        b"/Resources << /Font << /F1 4 0 R /F2 6 0 R >> >> /Contents 7 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /MSGothic /Encoding /Identity-V "
        b"/DescendantFonts [5 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /MSGothic /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 "
        b"/W2 [1 10 -1000 500 880] >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    return pdf_file(objects)


#: A vertical font's characters (through pdfminer's LTChar), Helvetica ones with a
#: rise and horizontal scaling, a rotated line of text, a rectangle and a curve.
SYNTHETIC = _pdf(
    b"BT /F1 12 Tf 100 250 Td <00410042> Tj ET "
    b"BT /F2 10 Tf 50 Tz 3 Ts 20 20 Td (Hi) Tj ET "
    b"BT /F2 9 Tf 0 1 -1 0 200 100 Tm (up) Tj ET "
    b"10 10 50 50 re S 0 0 m 10 20 30 40 50 50 c S"
)


@pytest.mark.parametrize(
    "source",
    [*REAL_PDFS, SYNTHETIC],
    ids=lambda p: p.name[:3] if hasattr(p, "name") else "synthetic",
)
def test_pages_are_laid_out_as_pdfplumber_lays_them_out(source) -> None:
    """Every character and drawing of the reader's layout (fast content reader,
    characters made without pdfminer's LTChar, lean conversion) holds what
    pdfplumber's own layout and conversion give, under the readers' keys."""
    kept = {"char": CHAR_KEYS, "line": SHAPE_KEYS, "rect": SHAPE_KEYS, "curve": SHAPE_KEYS}
    common = ("text", "top", "bottom", "doctop", "object_type", "page_number")
    with pdfplumber.open(io.BytesIO(source) if isinstance(source, bytes) else source) as pdf:
        for page in pdf.pages[:4]:
            _bounded_layout(page, float("inf"), 10**9)
            lean = page._objects
            del page._objects
            device = PDFPageAggregatorWithMarkedContent(
                pdf.rsrcmgr, pageno=page.page_number, laparams=None
            )
            PDFPageInterpreter(pdf.rsrcmgr, device).process_page(page.page_obj)
            page._layout = device.get_result()
            full = page.objects  # pdfplumber's conversion of pdfminer's layout
            assert lean.get("char")
            assert set(lean) <= set(full)
            for kind, keys in kept.items():
                expected = [
                    {k: o[k] for k in (*keys, *common) if k in o} for o in full.get(kind, [])
                ]
                assert lean.get(kind, []) == expected, (page.page_number, kind)


def test_the_synthetic_page_holds_what_it_is_meant_to() -> None:
    """The corners above are really met: vertical and rotated characters, a
    rectangle and a curve."""
    with pdfplumber.open(io.BytesIO(SYNTHETIC)) as pdf:
        page = pdf.pages[0]
        _bounded_layout(page, float("inf"), 10**9)
        chars = page.chars
        assert [c["text"] for c in chars] == ["(cid:65)", "(cid:66)", "H", "i", "u", "p"]
        first, second = chars[:2]
        assert first["x0"] == second["x0"] and second["top"] > first["top"]  # stacked
        assert not chars[-1]["upright"]
        assert len(page.rects) == 1 and len(page.curves) == 1
