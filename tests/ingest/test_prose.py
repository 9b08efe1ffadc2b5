"""The prose procedure reader (synthetic inputs)."""

from __future__ import annotations

import pytest

from sopdata.ingest.loaders import parse_document_text
from sopdata.ingest.prose import NO_STEPS_WARNING, read_prose

ANNOUNCED = """Surat Keterangan Belum Menikah
Surat Keterangan Belum Menikah adalah surat dari kelurahan untuk warga yang belum pernah menikah.
Langkah-langkah pengurusannya:
1) Warga meminta surat pengantar RT/RW
2) Warga membawa pengantar ke kelurahan
3) Petugas pelayanan mengetik surat keterangan
4) Lurah menandatangani surat
"""

ISO_STYLE = """Standar Operating Procedure
PEMINJAMAN RUANG RAPAT
A. Tujuan
Sebagai acuan peminjaman ruang rapat.
B. Ruang Lingkup
Semua unit kerja.
C. Uraian Prosedur
1. Peminjam mengisi formulir peminjaman.
2. Petugas umum memeriksa jadwal ruang
rapat pada buku agenda.
3. Kasubag Umum menyetujui peminjaman.
4. Petugas umum menyerahkan kunci.
"""

RUNNING = """Surat Keterangan Penghasilan merupakan surat yang menerangkan penghasilan warga.
Prosedur pengurusannya dapat dilakukan di kantor desa. Pemohon menyerahkan surat pengantar RT kepada petugas.
Selanjutnya, petugas pelayanan memeriksa berkas dan membuat konsep surat. Sekretaris Desa memaraf konsep surat tersebut.
Kepala Desa menandatangani surat keterangan. Waktu yang diperlukan paling lama 2 jam.
"""


@pytest.mark.parametrize(
    ("text", "title", "steps"),
    [
        (ANNOUNCED, "Surat Keterangan Belum Menikah", 4),
        (ISO_STYLE, "Peminjaman Ruang Rapat", 4),
        (RUNNING, "Surat Keterangan Penghasilan", 4),
    ],
    ids=["announced-list", "iso-style", "running-text"],
)
def test_prose_procedures(text, title, steps):
    (sop,) = parse_document_text(text, "p.txt")
    assert sop.title == title
    assert len(sop.steps) == steps
    assert sop.kind in ("prosedur", "standar_pelayanan")


def test_running_text_time_and_actors():
    (sop,) = read_prose(RUNNING, "p.txt")
    assert sop.kind == "prosedur"
    assert sop.completion_duration.minutes == 120
    (sop,) = parse_document_text(RUNNING, "p.txt")
    assert any(s.actors_inferred for s in sop.steps)


def test_step_waktu_stated_in_text():
    text = ANNOUNCED.replace(
        "mengetik surat keterangan", "mengetik surat keterangan maksimal 15 menit"
    )
    (sop,) = read_prose(text, "p.txt")
    assert sop.steps[2].duration.minutes == 15


def test_no_procedure_in_an_article():
    text = "Berita Desa\nWarga desa bergotong royong membersihkan saluran air. Kegiatan berlangsung meriah.\n"
    assert read_prose(text, "a.txt") == []


# --- documents that name their procedure but hold no steps ---------------------------

NAMED = [
    # (text, title, kind)
    (
        "Persyaratan Penerbitan Surat Keterangan Ahli Waris\n\n"
        "Berikut berkas yang perlu disiapkan warga Kecamatan Tanjung Priok sebelum datang.\n"
        "KTP dan KK ahli waris serta surat kematian.\n",
        "Persyaratan Penerbitan Surat Keterangan Ahli Waris",
        "standar_pelayanan",
    ),
    (
        "Tata Cara Peminjaman Ruang Rapat Balai Desa\n"
        "Ruang rapat dapat dipinjam oleh warga untuk kegiatan kemasyarakatan.\n",
        "Tata Cara Peminjaman Ruang Rapat Balai Desa",
        "prosedur",
    ),
    (
        "KATA PENGANTAR\nPuji syukur atas tersusunnya \u201cPedoman Standar Operasional Prosedur "
        "Pengelolaan Pasar Desa Sukamaju\u201d yang menjadi acuan pengelola pasar.\n",
        "Pedoman Standar Operasional Prosedur Pengelolaan Pasar Desa Sukamaju",
        "prosedur",
    ),
]


@pytest.mark.parametrize(("text", "title", "kind"), NAMED)
def test_a_named_procedure_without_steps_is_an_sop_with_a_warning(
    text: str, title: str, kind: str
) -> None:
    [sop] = parse_document_text(text, "x.txt")
    assert sop.title == title
    assert sop.kind == kind
    assert sop.steps == []
    assert NO_STEPS_WARNING in sop.warnings


@pytest.mark.parametrize(
    "text",
    [
        "Kepada Yth. Bapak Camat\nDengan hormat, kami sampaikan laporan kegiatan.\n",
        # a sentence that speaks of an SOP is no heading
        "Rapat membahas SOP pelayanan yang akan disusun tahun depan.\n",
    ],
)
def test_text_that_names_no_procedure_is_still_refused(text: str) -> None:
    assert parse_document_text(text, "x.txt") == []
