"""Say what was not kept (issue 15): sub-steps, mixed encodings, odd digits in Waktu,
UTF-16 text, and every truncation reported. Table-driven."""

from __future__ import annotations

import pytest

from sopdata.export.excel import MAX_ACTOR_COLUMNS, SHEET_NOTES, build_workbook
from sopdata.ingest.loaders import decode_text, load_bytes, utf16_without_bom
from sopdata.ingest.parse_text import MAX_STEPS
from sopdata.records import SOP, Step
from sopdata.text.durations import parse_duration
from tests.support.paths import CORPUS, TEST_DATA

HEADER = "Nama SOP: Uji\nNo\tKegiatan\tPelaksana\tKelengkapan\tWaktu\tOutput\n"


def _row(no: str, activity: str, waktu: str = "1 hari") -> str:
    return f"{no}\t{activity}\t□\tBerkas\t{waktu}\tHasil\n"


@pytest.mark.parametrize(
    "numbers,expected",
    [
        (["1", "2", "2.1", "2.2", "3"], ["1", "2", "2.1", "2.2", "3"]),
        (["1", "2", "2a", "2b", "3"], ["1", "2", "2a", "2b", "3"]),
        (["1.", "2.", "2.1.", "3."], ["1", "2", "2.1", "3"]),
    ],
)
def test_sub_steps_are_steps_not_the_end_of_the_table(numbers, expected):
    text = HEADER + "".join(_row(n, f"Kegiatan {n}") for n in numbers)
    (sop,) = load_bytes(text.encode(), "uji.txt").sops
    assert [s.no for s in sop.steps] == expected
    assert any("sub-langkah" in w for w in sop.warnings)


def test_steps_over_the_limit_are_reported():
    text = HEADER + "".join(_row(str(n), f"Kegiatan {n}") for n in range(1, MAX_STEPS + 51))
    (sop,) = load_bytes(text.encode(), "uji.txt").sops
    assert len(sop.steps) == MAX_STEPS
    assert any("50 langkah berikutnya tidak dibaca" in w for w in sop.warnings), sop.warnings


@pytest.mark.parametrize(
    "data,text,warned",
    [
        ("1½ hari\n".encode() + b"caf\xe9\n", "1½ hari\ncafé\n", True),  # one cp1252 line
        (b"caf\xe9\n1\xbd hari", "café\n1½ hari", False),  # all cp1252
        ("1½ hari".encode("utf-8-sig"), "1½ hari", False),
        ("1½ hari".encode("utf-16"), "1½ hari", False),
        ("1½ hari".encode("utf-16-be").join([b"\xfe\xff", b""]), "1½ hari", False),
    ],
    ids=["mixed", "cp1252", "utf8-bom", "utf16-le", "utf16-be"],
)
def test_text_is_decoded_line_by_line(data, text, warned):
    decoded, warnings = decode_text(data)
    assert decoded == text
    assert any("Windows-1252" in w for w in warnings) == warned


def test_utf16_text_is_read():
    text = HEADER + _row("1", "Menerima berkas", "1½ hari")
    (sop,) = load_bytes(text.encode("utf-16"), "uji.txt").sops
    assert sop.steps[0].duration.minutes == 675


REALDOCS_SP = (
    TEST_DATA / "realdocs" / "docs" / "002_kec_taman_kelurahan_sp_surat_keterangan_domisili.txt"
)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_text_saved_without_its_bom_is_read(encoding):
    """Some exports write UTF-16 without the byte-order mark: the seed and a
    Standar Pelayanan read as from UTF-8 (before: "bukan dokumen teks")."""
    for path in (CORPUS / "lumajang-kec-sumbersuko-rekomendasi-ot.txt", REALDOCS_SP):
        text = path.read_text(encoding="utf-8")
        want = [(s.title, len(s.steps)) for s in load_bytes(text.encode(), path.name).sops]
        got = [(s.title, len(s.steps)) for s in load_bytes(text.encode(encoding), path.name).sops]
        assert got == want


@pytest.mark.parametrize(
    "data,encoding",
    [
        ("Nama SOP: Pelayanan KTP\n1. Menerima berkas".encode("utf-16-le"), "utf-16-le"),
        ("Nama SOP: Pelayanan KTP\n1. Menerima berkas".encode("utf-16-be"), "utf-16-be"),
        (b"Nama SOP: Pelayanan KTP\n1. Menerima berkas", ""),  # UTF-8
        (bytes(range(256)) * 4, ""),  # binary: NULs on no one side
        (b"\x00" * 200, ""),  # NULs on both sides
        ("Nama SOP".encode("utf-16-le"), ""),  # too short to tell
    ],
)
def test_utf16_without_bom_is_told_by_its_nul_bytes(data, encoding):
    assert utf16_without_bom(data) == encoding


@pytest.mark.parametrize(
    "waktu,minutes",
    [
        ("1\u200b0 Menit", 10),
        ("１０ menit", 10),
        ("１\u200b５ Ｍｅｎｉｔ", 15),
        ("1.000.000 hari", 1_000_000 * 450),
        ("2,500,000 menit", 2_500_000),
        ("1.5 jam", 90),
        ("2,5 jam", 150),
    ],
)
def test_waktu_digits_are_normalised(waktu, minutes):
    assert parse_duration(waktu).minutes == minutes


def test_long_cells_are_cut_with_a_warning():
    text = HEADER + _row("1", "x" * 20_000)
    (sop,) = load_bytes(text.encode(), "uji.txt").sops
    assert len(sop.steps[0].activity) == 5000
    assert any("1 sel/baris lebih dari 5.000 karakter dipotong" in w for w in sop.warnings)


def test_workbook_notes_what_it_could_not_hold():
    step = Step(
        no="1",
        activity="x" * 40_000,
        actors=[f"Pelaksana {k}" for k in range(MAX_ACTOR_COLUMNS + 3)],
        marks={},
        duration=parse_duration("1 hari"),
    )
    wb = build_workbook(SOP(source_file="u.txt", title="T", office="K", steps=[step]))
    notes = [c.value for c in wb[SHEET_NOTES]["A"]]
    assert any("3 kolom Pelaksana melebihi batas" in str(n) for n in notes), notes
    assert any("40.000 karakter dipotong menjadi 32.767" in str(n) for n in notes), notes
    assert len(wb["Prosedur"]["B7"].value) == 32_767
