"""Cell and title normalisers, on cells of the seed corpus (corpus/*.txt)."""

from __future__ import annotations

import pytest

from sopdata.text.textclean import (
    cell_text,
    collapse_spaces,
    normalise_key,
    normalise_title_key,
    smart_title,
    split_items,
    strip_markup,
)


@pytest.mark.parametrize(
    "cell,items",
    [
        # Candipuro's Peralatan: letters glued to the previous item's last word
        (
            '<ol style="list-style-type: none">a. Alat Tulis Kantorb. Komputerc. Printerd. Lembar Kerja dan '
            "Rencana Kerja",
            ["Alat Tulis Kantor", "Komputer", "Printer", "Lembar Kerja dan Rencana Kerja"],
        ),
        # Candipuro's Dasar Hukum: numbers inside an item ("Nomor 29 Tahun 2014") never split it
        (
            "1. Peraturan Presiden Republik Indonesia Nomor 29 Tahun 2014 tentang SAKIP;2. Peraturan Menteri "
            "Dalam Negeri Nomor 52 Tahun 2011 tentang SOP",
            [
                "Peraturan Presiden Republik Indonesia Nomor 29 Tahun 2014 tentang SAKIP",
                "Peraturan Menteri Dalam Negeri Nomor 52 Tahun 2011 tentang SOP",
            ],
        ),
        # Sumbersuko's: "No. 138/106/427.11/2015" and "tgl. 22" are not enumerators
        (
            "1. Surat Edaran Sekda Kab. Lumajang No. 138/106/427.11/2015 tgl. 22 Januari 2015; 2. Surat "
            "Keputusan Bupati Lumajang",
            [
                "Surat Edaran Sekda Kab. Lumajang No. 138/106/427.11/2015 tgl. 22 Januari 2015",
                "Surat Keputusan Bupati Lumajang",
            ],
        ),
        # only the next enumerator in order splits: "3." after "1." is text
        ("1. Surat permohonan 3. rangkap", ["Surat permohonan 3. rangkap"]),
        ("- Surat permohonan; - Fotokopi KTP", ["Surat permohonan", "Fotokopi KTP"]),
        ("• KTP • KK", ["KTP", "KK"]),
        (
            "<ul><li>Surat permohonan</li><li>Fotokopi KTP</li></ul>",
            ["Surat permohonan", "Fotokopi KTP"],
        ),
        ("Surat permohonan<br>Fotokopi KTP", ["Surat permohonan", "Fotokopi KTP"]),
        ("Nomor 23 tahun 2014", ["Nomor 23 tahun 2014"]),
        ("Komputer, Printer", ["Komputer, Printer"]),
        # a dash after a space opens an item too
        ("Surat permohonan - Fotokopi KTP", ["Surat permohonan", "Fotokopi KTP"]),
        ("-", []),
        ("", []),
    ],
    ids=[
        "letters-glued",
        "numbers-inside",
        "dotted-abbreviations",
        "out-of-order",
        "dashes",
        "bullets",
        "html-list",
        "br",
        "no-list",
        "commas",
        "dash-after-space",
        "dash-only",
        "empty",
    ],
)
def test_split_items(cell: str, items: list[str]) -> None:
    assert split_items(cell) == items
    assert cell_text(cell) == "\n".join(items)


@pytest.mark.parametrize(
    "text,plain",
    [
        ("<p><b>PEMERINTAH KABUPATEN LUMAJANG</b></p>", "\nPEMERINTAH KABUPATEN LUMAJANG\n"),
        ("<p>Disahkan oleh : CAMAT &amp; NIP</p>", "\nDisahkan oleh : CAMAT & NIP\n"),
        ("**Nama SOP**", "Nama SOP"),
        ("<span class='x'>Camat</span>", "Camat"),
        ("a < b", "a < b"),  # not a tag
        ("Tanpa markup", "Tanpa markup"),
        # a damaged page: a table tag that lost its ">" is still not text
        ("10 Menit<tdPengantar OT", "10 Menit Pengantar OT"),
        ("Berkas </TR lengkap", "Berkas   lengkap"),
        ("waktu <3 hari, <tdx>", "waktu <3 hari, "),
        ("<td>NO</td><td<td>Kegiatan</td>", "NO Kegiatan"),
        ("Berkas</tr<tr>Waktu", "Berkas \nWaktu"),
        # ... also when the cell's first letter went with it (the mutated-HTML fuzz
        # test's example: "<td>M" cut to "<td" before "enandatangani")
        ("OT10 mnt <tdenandatangani Surat</td>", "OT10 mnt  enandatangani Surat"),
        ("<thead", " "),
    ],
)
def test_strip_markup(text: str, plain: str) -> None:
    assert strip_markup(text) == plain


@pytest.mark.parametrize(
    "text,collapsed",
    [
        ("  Agen- da  surat\u00a0masuk ", "Agenda surat masuk"),  # a word broken by the cell's wrap
        ("Doku- men\tSOP", "Dokumen SOP"),
        ("kerja- kerja", "kerja- kerja"),  # a repeated word is kept apart
        ("Surat - menyurat", "Surat - menyurat"),
        ("Camat\u202fLumajang", "Camat Lumajang"),
    ],
)
def test_collapse_spaces(text: str, collapsed: str) -> None:
    assert collapse_spaces(text) == collapsed


@pytest.mark.parametrize(
    "text,key",
    [
        ("Kasubag Umum & Kepegawaian (Sekcam)", "kasubag umum kepegawaian sekcam"),
        ("Péngelolaan  Surat-Keluar", "pengelolaan surat keluar"),
        ("065/03.SOP.SEK/415.67/2022", "065 03 sop sek 415 67 2022"),
        ("", ""),
    ],
)
def test_normalise_key(text: str, key: str) -> None:
    assert normalise_key(text) == key


@pytest.mark.parametrize(
    "title,key",
    [
        ("SOP Pengelolaan Surat Keluar", "pengelolaan surat keluar"),
        ("Standar Operasional Prosedur Surat Masuk", "surat masuk"),
        ("PENGELOLAAN SURAT KELUAR.", "pengelolaan surat keluar"),
        ("SOPIR Dinas", "sopir dinas"),  # only the word SOP is dropped
    ],
)
def test_normalise_title_key(title: str, key: str) -> None:
    assert normalise_title_key(title) == key


@pytest.mark.parametrize(
    "title,acronyms,expected",
    [
        ("PENGELOLAAN SURAT KELUAR", frozenset(), "Pengelolaan Surat Keluar"),
        # no vowels: an acronym
        ("PELAYANAN REKOMENDASI SKCK", frozenset(), "Pelayanan Rekomendasi SKCK"),
        # Indonesian small words stay lower-case, except the first word
        (
            "PENGUSULAN KENAIKAN PANGKAT DAN GAJI BERKALA",
            frozenset(),
            "Pengusulan Kenaikan Pangkat dan Gaji Berkala",
        ),
        ("TUGAS BELAJAR KE LUAR NEGERI", frozenset(), "Tugas Belajar ke Luar Negeri"),
        ("DAN SURAT", frozenset(), "Dan Surat"),
        # a short word in parentheses
        ("PERMOHONAN CUTI PEGAWAI (PNS)", frozenset(), "Permohonan Cuti Pegawai (PNS)"),
        # an acronym with vowels only when the glossary names it
        ("PENERBITAN IMB", frozenset(), "Penerbitan Imb"),
        ("PENERBITAN IMB", frozenset({"IMB"}), "Penerbitan IMB"),
        # mixed case: the author's spelling is kept
        ("Pengelolaan surat keluar", frozenset(), "Pengelolaan surat keluar"),
        ("  PENGELOLAAN   ARSIP ", frozenset(), "Pengelolaan Arsip"),
    ],
)
def test_smart_title(title: str, acronyms: frozenset[str], expected: str) -> None:
    assert smart_title(title, acronyms) == expected
