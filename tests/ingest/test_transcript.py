"""Documents copied from a document-sharing site's transcript of a PDF read as
the documents themselves: the site's lines dropped, its page bullets undone."""

from __future__ import annotations

import re

import pytest

from sopdata.ingest.loaders import parse_document_text
from sopdata.ingest.quality import without_bullet
from sopdata.ingest.transcript import single_spaced, without_site_chrome
from tests.support.paths import CORPUS, TEST_DATA
from tests.support.renderings import (
    bulleted_transcript,
    capitals,
    doubled_breaks,
    paged_transcript,
    web_page,
)

DOCS = TEST_DATA / "realdocs" / "docs"

# One document of each text layout: an SOP AP table flattened by extraction, a
# Standar Pelayanan, a prose procedure, a Puskesmas SOP, a Word table as text.
LAYOUTS = [
    DOCS / "046_kemenag_kab_sumbawa_sop_perencanaan_anggaran_dipa.txt",
    DOCS / "043_mtsn1_banjarnegara_sop_pelayanan_pilam_tamu.txt",
    DOCS / "050_bojonegoro_kecamatan_sp_pengurusan_sktm.txt",
    DOCS / "042_polres_cirebon_mekanisme_pengurusan_skck.txt",
    DOCS / "021_puskesmas_perhentianraja_pemberian_imunisasi_injeksi_polio.txt",
    CORPUS / "setda-bagian-organisasi-sop.txt",
]


def _read(text: str, name: str) -> list[dict]:
    return [
        {k: v for k, v in s.to_dict().items() if k not in ("warnings", "confidence")}
        for s in parse_document_text(text, name)
    ]


@pytest.mark.parametrize("render", [bulleted_transcript, paged_transcript])
@pytest.mark.parametrize("path", LAYOUTS, ids=lambda p: p.name[:20])
def test_a_transcript_reads_as_the_document(path, render) -> None:
    text = path.read_text(encoding="utf-8")
    expected = _read(text, path.name)
    assert expected and any(s["steps"] for s in expected)
    assert _read(render(text), path.name) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # no site mark: a document's own "Download" or "Page 2: ..." line stays
        ("Nama SOP Unduh Data\nDownload\n", "Nama SOP Unduh Data\nDownload\n"),
        ("Lihat Page 2: lampiran\nNama SOP X\n", "Lihat Page 2: lampiran\nNama SOP X\n"),
        # a site mark: the heading and the buttons go
        ("Transcript of SOP X\nDownload\nNama SOP X\n", "Nama SOP X\n"),
        # two page headers (or the text opens with one): they go
        ("Page 1: SOP X\nA\nPage 2: SOP X\nB", "A\nB"),
        ("Page 1: SOP X\nA", "A"),
        # a bulleted list inside an ordinary document stays
        ("Persyaratan:\n• KTP\n• KK\nProsedur:\n1. Mengisi formulir", None),
        # page bullets with their pages indented: undone
        (
            "  • Nama SOP X\n    1. Menerima\n    2. Mencatat",
            "Nama SOP X\n1. Menerima\n2. Mencatat",
        ),
    ],
)
def test_without_site_chrome(text: str, expected: str | None) -> None:
    assert without_site_chrome(text) == (text if expected is None else expected)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("• SOP Pengajuan Cuti", "SOP Pengajuan Cuti"),
        ("- Pelayanan KTP", "Pelayanan KTP"),
        ("Surat Keterangan - Domisili", "Surat Keterangan - Domisili"),
        ("•", "•"),
    ],
)
def test_a_title_loses_its_list_bullet(title: str, expected: str) -> None:
    assert without_bullet(title) == expected


@pytest.mark.parametrize(
    "path",
    [
        DOCS / "042_polres_cirebon_mekanisme_pengurusan_skck.txt",
        DOCS / "047_pa_sungailiat_sop_pengajuan_cuti_tahunan.txt",
    ],
    ids=lambda p: p.name[:20],
)
def test_a_bulleted_title_line_gives_the_title(path) -> None:
    """The title line of a page copied as a list item ('• SOP Pengajuan Cuti ...')."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    first = next(k for k, line in enumerate(lines) if line.strip())
    lines[first] = "• " + lines[first]
    assert [s.title for s in parse_document_text("\n".join(lines), path.name)] == [
        s.title for s in parse_document_text(text, path.name)
    ]


@pytest.mark.parametrize(
    "path",
    [
        CORPUS / "setda-bagian-organisasi-sop.txt",
        CORPUS / "lumajang-kec-sumbersuko-rekomendasi-ot.txt",
        DOCS / "013_puskesmas_sape_pengelolaan_laporan_bulanan_gizi.txt",
        DOCS / "014_djbc_kppbc_madya_izin_cuti_bersalin_gol_i_ii.txt",
    ],
    ids=lambda p: p.name[:20],
)
def test_a_copy_with_every_line_break_doubled_reads_as_the_document(path) -> None:
    """A PDF viewer's '\\r\\r\\n' line ends: a blank line under every line. Before,
    a title wrapped over two lines lost its first line (013, 014) and a Word
    table saved as text lost its steps (setda)."""
    text = path.read_text(encoding="utf-8")
    assert _read(doubled_breaks(text), path.name) == _read(text, path.name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # every break doubled: lines one break apart, a paragraph one blank line
        ("a\n\nb\n\nc\n\n\n\nd\n\ne\n\nf\n", "a\nb\nc\n\nd\ne\nf\n"),
        # an HTML page's paragraphs: three breaks between lines
        ("a\n\n\nb\n\n\nc\n\n\nd\n\n\ne\n\n\nf", "a\nb\nc\nd\ne\nf"),
        # one line directly under another: the blank lines mean something, left alone
        ("a\n\nb\nc\n\nd\n\ne\n\nf\n", None),
        # too few breaks to tell
        ("Judul\n\nIsi\n", None),
    ],
)
def test_single_spaced(text: str, expected: str | None) -> None:
    assert single_spaced(text) == (text if expected is None else expected)


@pytest.mark.parametrize(
    "path",
    [
        DOCS / "013_puskesmas_sape_pengelolaan_laporan_bulanan_gizi.txt",
        DOCS / "014_djbc_kppbc_madya_izin_cuti_bersalin_gol_i_ii.txt",
        DOCS / "050_bojonegoro_kecamatan_sp_pengurusan_sktm.txt",
        DOCS / "047_pa_sungailiat_sop_pengajuan_cuti_tahunan.txt",
    ],
    ids=lambda p: p.name[:20],
)
def test_a_web_page_with_a_paragraph_a_line_reads_as_the_document(path) -> None:
    """A document put on a web page one paragraph (<p>) a line. Before, a title
    wrapped over two lines kept only its second line (013, 014). The flowchart
    transcript (047) has no blank lines left between its boxes: a box a line,
    its two branch labels then a box of their own (8 steps for 7)."""
    from sopdata.ingest.loaders import load_bytes

    text = path.read_text(encoding="utf-8")
    got = [(s.title, len(s.steps)) for s in load_bytes(web_page(text), path.stem + ".html").sops]
    expected = [(s.title, len(s.steps)) for s in parse_document_text(text, path.name)]
    assert [t for t, _ in got] == [t for t, _ in expected]
    assert all(
        abs(g - e) <= (1 if "047" in path.name else 0)
        for (_, g), (_, e) in zip(got, expected, strict=True)
    )


def test_a_flowchart_transcript_without_blank_lines_keeps_its_boxes() -> None:
    """Boxes between "Mulai" and "Selesai" with no blank line between them (a
    Word copy): a box a line. Before, the whole flowchart was one paragraph and
    gave no steps."""
    path = DOCS / "047_pa_sungailiat_sop_pengajuan_cuti_tahunan.txt"
    text = path.read_text(encoding="utf-8")
    [spaced] = parse_document_text(text, path.name)
    [dense] = parse_document_text(re.sub(r"\n\s*\n", "\n", text), path.name)

    # the same boxes, in order; the branch labels under "Persetujuan Atasan
    # Langsung" ("Setuju Cuti ditunda") are a box of their own without the blank lines
    assert len(spaced.steps) == 7 and len(dense.steps) == 8
    assert dense.steps[3].activity == "Persetujuan Atasan Langsung"
    assert dense.steps[4].activity.startswith("Setuju Cuti ditunda 1. Atasan langsung")
    kept = dense.steps[:3] + dense.steps[5:]
    assert [s.activity for s in kept] == [s.activity for s in spaced.steps[:3] + spaced.steps[4:]]


@pytest.mark.parametrize(
    "path",
    [
        DOCS / "013_puskesmas_sape_pengelolaan_laporan_bulanan_gizi.txt",  # lettered A., B.
        DOCS / "014_djbc_kppbc_madya_izin_cuti_bersalin_gol_i_ii.txt",  # unnumbered rows
        DOCS / "052_desa_hilirbalai_sktm_prosedur_prosa.txt",  # "X MERUPAKAN ..."
        DOCS / "050_bojonegoro_kecamatan_sp_pengurusan_sktm.txt",
    ],
    ids=lambda p: p.name[:20],
)
def test_a_document_typed_in_capitals_reads_as_the_document(path) -> None:
    """The same titles (whatever their case) and steps. Before: 013 lost its
    lettered steps (6 to 2), 014 all its steps, 052 its title."""
    text = path.read_text(encoding="utf-8")

    def read(t: str) -> list[tuple[str, list[str]]]:
        return [
            (s.title.casefold(), [x.activity.casefold() for x in s.steps])
            for s in parse_document_text(t, path.name)
        ]

    assert read(capitals(text)) == read(text)
