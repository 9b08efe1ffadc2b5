"""Step-table column names as different offices write them.

The Permenpan RB 35/2012 layout names the columns Kegiatan, Pelaksana and Mutu
Baku (Kelengkapan, Waktu, Output), Keterangan; offices also write "Uraian
Kegiatan", "Pelaku", "Persyaratan", "Waktu (menit)", "Hasil/Output", "Catatan".
"""

from __future__ import annotations

import pytest

from sopdata.form import lane_annotations
from sopdata.ingest.loaders import load_bytes, load_path, parse_document_text
from sopdata.ingest.parse_text import is_table_header, read_layout
from tests.support.paths import CORPUS_DIR, TEST_DATA
from tests.support.renderings import procedure_header_over_number
from tests.support.sopfiles import docx_from_dump, html_from_dump, xlsx_from_dump

HEADERS = [
    # (header row, sub-header row, actors, (kelengkapan, waktu, output, keterangan) columns)
    (
        ["No", "Kegiatan", "Pelaksana", "", "Mutu Baku", "", "", "Keterangan"],
        ["", "", "Staf", "Camat", "Kelengkapan", "Waktu", "Output", ""],
        ["Staf", "Camat"],
        (4, 5, 6, 7),
    ),
    (
        ["NO", "URAIAN KEGIATAN", "PELAKSANA", "", "MUTU BAKU", "", "", "KET"],
        ["", "", "Operator", "Kasi", "Persyaratan", "Waktu (menit)", "Hasil", ""],
        ["Operator", "Kasi"],
        (4, 5, 6, 7),
    ),
    (
        [
            "No.",
            "Aktivitas",
            "Pelaku",
            "",
            "",
            "Persyaratan/Kelengkapan",
            "Lama Waktu",
            "Output/Hasil",
            "Catatan",
        ],
        ["", "", "Pemohon", "Petugas", "Lurah", "", "", "", ""],
        ["Pemohon", "Petugas", "Lurah"],
        (5, 6, 7, 8),
    ),
    (
        [
            "No",
            "Uraian Prosedur",
            "Pejabat Pelaksana",
            "",
            "Syarat",
            "Jangka Waktu",
            "Keluaran",
            "Ket.",
        ],
        ["", "", "Sekcam", "Camat", "", "", "", ""],
        ["Sekcam", "Camat"],
        (4, 5, 6, 7),
    ),
    (
        ["No", "Langkah Kegiatan", "Pelaksana", "", "Mutu Baku", "", "", ""],
        ["", "", "Kasubag", "Kabag", "Input", "Durasi", "Produk", ""],
        ["Kasubag", "Kabag"],
        (4, 5, 6, 7),
    ),
]


@pytest.mark.parametrize(("head", "sub", "actors", "columns"), HEADERS)
def test_header_variants_give_the_layout(head, sub, actors, columns):
    assert is_table_header(head)
    layout = read_layout(head, sub)
    assert layout is not None
    assert [name for _, name in layout.actors] == actors
    assert (layout.kelengkapan, layout.waktu, layout.output, layout.keterangan) == columns


# "Uraian Prosedur" printed over both the number and the Kegiatan column: the
# header's first cell names the Kegiatan, the number column has no name of its own.
PROCEDURE_OVER_NUMBER = (
    ["Uraian Prosedur", "", "Pelaksana", "", "", "Mutu Baku", "", "", "Ket"],
    ["", "", "Pemohon", "Resepsionis", "Petugas", "Kelengkapan", "Waktu", "Output", ""],
)


def test_procedure_header_over_the_number_column_reads_kegiatan_next_to_it():
    layout = read_layout(*PROCEDURE_OVER_NUMBER)
    assert layout is not None
    assert layout.kegiatan == 1
    assert [name for _, name in layout.actors] == ["Pemohon", "Resepsionis", "Petugas"]
    assert (layout.kelengkapan, layout.waktu, layout.output, layout.keterangan) == (5, 6, 7, 8)


def test_procedure_header_over_no_and_kegiatan_named_below_reads_the_named_column():
    layout = read_layout(
        ["Uraian Prosedur", "", "Pelaksana", "", "Mutu Baku", "", "", "Keterangan"],
        ["No", "Kegiatan", "Pemohon", "Petugas", "Kelengkapan", "Waktu", "Output", ""],
    )
    assert layout is not None
    assert layout.kegiatan == 1
    assert [name for _, name in layout.actors] == ["Pemohon", "Petugas"]
    assert (layout.kelengkapan, layout.waktu, layout.output, layout.keterangan) == (4, 5, 6, 7)


def test_a_lane_named_in_the_first_header_row_only_is_an_actor():
    # "Kepala" spans both header rows; "Pelaksana" spans the two lanes before it
    layout = read_layout(
        ["No", "Kegiatan", "Pelaksana", "", "Kepala", "Mutu Baku", "", "", "Ket"],
        ["", "", "Staf", "Kasi", "", "Kelengkapan", "Waktu", "Output", ""],
    )
    assert layout is not None
    assert [name for _, name in layout.actors] == ["Staf", "Kasi", "Kepala"]


def _last_lane_named_above(text: str) -> tuple[str, int]:
    """Each step table's last lane name moved from the second header row to the
    first (the lane's header cell spans both rows)."""
    lines = text.split("\n")
    moved = 0
    for k in range(len(lines) - 1):
        head, sub = lines[k].split("\t"), lines[k + 1].split("\t")
        if len(head) < 4 or head[1].strip().lower() != "kegiatan":
            continue
        kel = next((i for i, c in enumerate(sub) if c.strip().lower() == "kelengkapan"), None)
        if kel is None:
            continue
        lane = max(
            (i for i in range(2, min(kel, len(head))) if sub[i].strip() and not head[i].strip()),
            default=None,
        )
        if lane is None:
            continue
        head[lane], sub[lane] = sub[lane], ""
        lines[k], lines[k + 1] = "\t".join(head), "\t".join(sub)
        moved += 1
    return "\n".join(lines), moved


SETDA = "setda-bagian-organisasi-sop.txt"


def _setda(render) -> tuple[list, list, int]:
    """The Setda book's 25 Word tables read as dumped and as ``render`` rewrites
    them (a rendering returns its text and how many places it changed)."""
    text = (CORPUS_DIR / SETDA).read_text(encoding="utf-8")
    rendered, changed = render(text)
    return parse_document_text(text, SETDA), parse_document_text(rendered, SETDA), changed


def _actors(sops) -> list[list[list[str]]]:
    return [[s.actors for s in sop.steps] for sop in sops]


def test_tab_dumps_with_a_lane_named_across_both_header_rows_read_the_same_actors():
    before, after, moved = _setda(_last_lane_named_above)
    assert moved >= 20
    assert _actors(after) == _actors(before)
    assert [[a.raw for a in sop.actors] for sop in after] == [
        [a.raw for a in sop.actors] for sop in before
    ]


def test_kegiatan_first_with_a_named_next_column_stays_first():
    # no number column: the first actor sits right after the Kegiatan
    layout = read_layout(
        ["Kegiatan", "Pelaksana", "", "Mutu Baku", "", ""],
        ["", "Pemohon", "Petugas", "Kelengkapan", "Waktu", "Output"],
    )
    assert layout is not None
    assert layout.kegiatan == 0
    assert [name for _, name in layout.actors] == ["Pemohon", "Petugas"]


def _steps(sops):
    return [
        [(s.no, s.activity, s.actors, s.requirements, s.duration.raw, s.output) for s in sop.steps]
        for sop in sops
    ]


@pytest.mark.parametrize(
    "name",
    [
        "setda-bagian-organisasi-sop.txt",
        "lumajang-kec-lumajang-rekrutmen-tenaga-kontrak.txt",
        "lumajang-kec-sumbersuko-rekomendasi-ot.txt",
        "lumajang-kec-candipuro-pengumpulan-data-kinerja.txt",
    ],
)
def test_tab_dumps_with_the_procedure_header_over_the_number_read_the_same_steps(name):
    text = (CORPUS_DIR / name).read_text(encoding="utf-8")
    merged = procedure_header_over_number(text)
    assert merged != text
    assert _steps(parse_document_text(merged, name)) == _steps(parse_document_text(text, name))


@pytest.mark.parametrize(
    ("suffix", "build"),
    [
        (".docx", docx_from_dump),
        (".xlsx", xlsx_from_dump),
        (".html", lambda t: html_from_dump(t).encode("utf-8")),
    ],
)
def test_tables_with_the_procedure_header_over_the_number_read_the_same_in_every_format(
    suffix, build
):
    text = (CORPUS_DIR / "lumajang-kec-lumajang-rekrutmen-tenaga-kontrak.txt").read_text(
        encoding="utf-8"
    )
    merged = load_bytes(build(procedure_header_over_number(text)), "rekrutmen" + suffix).sops
    assert _steps(merged) == _steps(load_bytes(build(text), "rekrutmen" + suffix).sops)
    assert len(merged[0].steps) == 8


def test_bps_pdf_with_the_procedure_header_over_the_number_reads_its_kegiatan():
    """The layout's real document: a BPS PDF (before: every Kegiatan was its number)."""
    (sop,) = load_path(next((TEST_DATA / "realdocs" / "docs").glob("028_*.pdf"))).sops
    assert [s.no for s in sop.steps] == [str(k) for k in range(1, 9)]
    assert sop.steps[0].activity == "Pengguna layanan membutuhkan layanan pengaduan"
    assert all(len(s.activity.split()) >= 4 for s in sop.steps)
    assert sop.steps[2].requirements == "Biodata, email"
    assert sop.steps[2].duration.minutes == 10


@pytest.mark.parametrize(
    "cells",
    [
        ["Nama SOP", "Pelayanan Surat Pindah"],
        ["Dasar Hukum", "Kualifikasi Pelaksana"],  # an identity block's paired sections
        ["1", "Menerima berkas dan waktu pelaksanaan", "□", "Formulir", "10 menit", "Berkas"],
        ["Prosedur ini berlaku", "Waktu pelayanan"],
    ],
)
def test_rows_that_are_not_step_table_headers(cells):
    assert not is_table_header(cells)


# A kelurahan's SOP with none of the Permenpan column names spelled the Permenpan way.
VARIANT_DUMP = "\n".join(
    [
        "PEMERINTAH KABUPATEN LUMAJANG",
        "KELURAHAN CITRODIWANGSAN",
        "Nomor SOP\t12/2024",
        "Nama SOP\tPelayanan Surat Keterangan Domisili",
        "No\tUraian Kegiatan\tPelaku\t\t\tPersyaratan\tWaktu (menit)\tHasil/Output\tCatatan",
        "\t\tPemohon\tPetugas Loket\tLurah\t\t\t\t",
        "1\tMengajukan permohonan dengan membawa KTP dan KK\t□\t\t\tKTP, KK\t5 menit\tBerkas permohonan\t",
        "2\tMemeriksa kelengkapan berkas\t\t◇\t\tBerkas permohonan\t10 menit\tBerkas lengkap\tjika kurang dikembalikan",
        "3\tMenandatangani surat keterangan\t\t\t□\tDraf surat\t1 hari\tSurat keterangan domisili\t",
    ]
)


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("domisili.txt", lambda t: t.encode("utf-8")),
        ("domisili.html", lambda t: html_from_dump(t).encode("utf-8")),
        ("domisili.docx", docx_from_dump),
        ("domisili.xlsx", xlsx_from_dump),
    ],
)
def test_variant_column_names_load_from_every_format(name, build):
    (sop,) = load_bytes(build(VARIANT_DUMP), name).sops
    assert sop.office == "Kelurahan Citrodiwangsan"
    assert [a.raw for a in sop.actors] == ["Pemohon", "Petugas Loket", "Lurah"]
    assert [s.no for s in sop.steps] == ["1", "2", "3"]
    second = sop.steps[1]
    assert second.actors == ["Petugas Loket"]
    assert second.requirements == "Berkas permohonan"
    assert second.output == "Berkas lengkap"
    assert second.duration.minutes == 10
    assert "dikembalikan" in second.note
    assert sop.steps[2].duration.minutes == 450  # 1 working day of 7.5 h


# --- connector labels printed in the actor lanes ---------------------------------------

LANE_MARKS = [
    # (marks of one step row, the lanes that are labels, not Pelaksana)
    ({"Kasi": "□", "Camat": "Via Email"}, {"Camat"}),
    ({"Kasi": "□", "Camat": "Tatap muka", "Staf": "Tujuan Disposisi"}, {"Camat", "Staf"}),
    ({"Kasi": "◇", "Camat": "Ya", "Staf": "Tidak"}, set()),  # branch labels stay labels
    ({"Kasi": "Via Email"}, set()),  # no symbol in the row: its shapes were drawn, not read
    ({"Kasi": "□", "Camat": "□"}, set()),  # two actors do the step together
    ({"Kasi": "□", "Camat": "v"}, set()),  # a one-letter tick is a mark
    ({"Kasi": "▭ Disposisi", "Camat": "Teknis"}, {"Camat"}),
    ({}, set()),
]


@pytest.mark.parametrize(("marks", "labels"), LANE_MARKS)
def test_words_beside_a_symbol_in_a_lane_are_connector_labels(marks, labels):
    assert lane_annotations(marks) == labels


def _with_connector_labels(text: str) -> tuple[str, int]:
    """The tab dump with a label written in the lane left of every step's symbol
    (the flowchart's arrow passes through that lane with its label)."""
    out, added = [], 0
    for line in text.split("\n"):
        cells = line.split("\t")
        if cells and cells[0].strip().rstrip(".").isdigit():
            k = next((i for i, c in enumerate(cells) if i > 2 and c.strip() in "▭□◇"), None)
            if k is not None and cells[k].strip() and not cells[k - 1].strip():
                cells[k - 1] = "Diteruskan"
                added += 1
        out.append("\t".join(cells))
    return "\n".join(out), added


def test_connector_labels_in_the_lanes_of_a_word_table_are_no_pelaksana():
    before, after, added = _setda(_with_connector_labels)
    assert added >= 20
    assert _actors(after) == _actors(before)
    assert sum("Diteruskan" in s.marks.values() for sop in after for s in sop.steps) == added


def test_bps_pdf_connector_labels_are_no_pelaksana():
    """022 writes "Teknis", "Tujuan Disposisi", "Administratif" along its arrows."""
    (sop,) = load_path(next((TEST_DATA / "realdocs" / "docs").glob("022_*.pdf"))).sops
    by_no = {s.no: s for s in sop.steps}
    assert by_no["8"].actors == ["Kepala BPS Provinsi"]
    assert by_no["9"].actors == ["Tim Teknis"]
    # a row whose box is drawn, not read, keeps the lanes its words sit in
    assert by_no["1"].actors == ["Bagian Umum", "Sekretaris"]


# A Mutu Baku column the header does not name "Kelengkapan", with an empty column
# before Waktu: read by position, it sits among the Pelaksana lanes.
UNNAMED_INPUT_DUMP = "\n".join(
    [
        "Nama SOP\tPengumpulan Data Capaian Kinerja",
        "No\tKegiatan\tPelaksana\t\t\tMutu Baku\t\t\t\tKet",
        "\t\tTim Kerja\tTim Sakip\tKepala\tSumber Data\t\tWaktu\tOutput\t",
        "1\tMenyusun laporan data kinerja\t□\t\t\tRealisasi target tim kerja\t\t5 hari\tLaporan\t",
        "2\tMemverifikasi laporan data kinerja\t\t◇\t\tLaporan data kinerja tim\t\t2 hari\tLaporan\t",
        "3\tMenyetujui laporan data kinerja\t\t\t□\tLaporan data kinerja terverifikasi\t\t1 hari\tFRA\t",
    ]
)


def test_a_column_of_sentences_among_the_lanes_is_the_kelengkapan():
    (sop,) = parse_document_text(UNNAMED_INPUT_DUMP, "capaian.txt")
    assert [a.raw for a in sop.actors] == ["Tim Kerja", "Tim Sakip", "Kepala"]
    assert [s.actors for s in sop.steps] == [["Tim Kerja"], ["Tim Sakip"], ["Kepala"]]
    assert [s.requirements for s in sop.steps] == [
        "Realisasi target tim kerja",
        "Laporan data kinerja tim",
        "Laporan data kinerja terverifikasi",
    ]
    assert all("Sumber Data" not in s.marks for s in sop.steps)
    assert (
        "kolom 'Sumber Data' berisi kalimat, bukan simbol flowchart: dibaca sebagai Kelengkapan"
        in sop.warnings
    )


def test_lanes_with_short_labels_stay_lanes():
    # "Via Email", "Tatap muka": two words, beside the symbol of another lane
    text = UNNAMED_INPUT_DUMP.replace("Realisasi target tim kerja", "Via Email").replace(
        "Laporan data kinerja tim", "Tatap muka"
    )
    (sop,) = parse_document_text(text, "capaian.txt")
    assert "Sumber Data" in [a.raw for a in sop.actors]


def test_bps_pdf_with_its_kelengkapan_named_sumber_data():
    (sop,) = load_path(next((TEST_DATA / "realdocs" / "docs").glob("029_*.pdf"))).sops
    assert "Sumber Data" not in [a.raw for a in sop.actors]
    assert all(s.requirements for s in sop.steps)
    assert all(s.actors and not s.actors_inferred for s in sop.steps)  # page two's lanes too
