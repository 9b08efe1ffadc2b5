"""The prose procedure reader (synthetic inputs)."""

from __future__ import annotations

import pytest

from sopdata.ingest.loaders import parse_document_text
from sopdata.ingest.prose import read_prose

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
