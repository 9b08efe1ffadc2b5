"""The readers' measure: a manifest of expected titles and step counts, scored."""

from __future__ import annotations

import csv
import shutil

import pytest

from sopdata.evaluate_docs import evaluate_docs, expected_office, office_score, title_matches
from tests.support.paths import CORPUS

FIELDS = ["file", "kind", "sops", "titles", "n_steps", "has_waktu"]


def _folder(tmp_path, rows, files):
    (tmp_path / "docs").mkdir()
    for name, content in files.items():
        if isinstance(content, bytes):
            (tmp_path / "docs" / name).write_bytes(content)
        else:
            shutil.copy(content, tmp_path / "docs" / name)
    with (tmp_path / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return tmp_path


def test_scores_titles_step_counts_and_failures(tmp_path):
    folder = _folder(
        tmp_path,
        [
            # Sumbersuko: one SOP, 5 steps in its table
            {
                "file": "ot.txt",
                "kind": "sop-ap-table",
                "sops": "1",
                "titles": "SOP Pelayanan Rekomendasi Surat Keterangan Organisasi Terlarang (OT)",
                "n_steps": "5",
                "has_waktu": "y",
            },
            # the same document, with a wrong expectation: the title and count must not pass
            {
                "file": "ot2.txt",
                "kind": "sop-ap-table",
                "sops": "1",
                "titles": "Pengelolaan Surat Masuk",
                "n_steps": "12",
                "has_waktu": "y",
            },
            {
                "file": "kosong.txt",
                "kind": "prose",
                "sops": "1",
                "titles": "(tanpa judul tercetak)",
                "n_steps": "3",
                "has_waktu": "n",
            },
        ],
        {
            "ot.txt": CORPUS / "lumajang-kec-sumbersuko-rekomendasi-ot.txt",
            "ot2.txt": CORPUS / "lumajang-kec-sumbersuko-rekomendasi-ot.txt",
            "kosong.txt": b"Tidak ada prosedur di sini, hanya satu kalimat.",
        },
    )
    report = evaluate_docs(folder)
    ot, wrong, empty = report.docs
    assert ot.titles_right == [True] and ot.steps_found == [5] and ot.steps_right == 1
    assert wrong.titles_right == [False] and wrong.steps_right == 0
    assert empty.found == [] and empty.error and not empty.traceback
    totals = report.totals
    assert (totals["documents_with_sop"], totals["titles_right"], totals["titles"]) == (2, 1, 3)
    assert (totals["steps_right"], totals["steps_scored"], totals["tracebacks"]) == (1, 3, 0)
    assert totals["waktu_read"] == totals["waktu_steps"] == 10  # both copies' Waktu all read
    assert "titles right: 1 of 3" in report.lines(per_document=False)[1]


def test_title_matching_is_normalised_not_loose():
    assert title_matches("SOP PELAYANAN PILAM", "Pelayanan Pilam")
    assert title_matches("Pengelolaan Surat Masuk.", "pengelolaan surat  masuk")
    assert not title_matches("Pengelolaan Surat Masuk", "Pengelolaan Surat Keluar")
    assert not title_matches("Izin Cuti", "")


# --- the office score -------------------------------------------------------------------

OFFICES = [
    # (manifest office cell, found office, found kabupaten, score)
    ("Kecamatan Ngadirejo, Kabupaten Temanggung", "Kecamatan Ngadirejo", "Temanggung", "right"),
    ("Kecamatan Ngadirejo, Kabupaten Temanggung", "Kecamatan Ngadirejo", "", "partial"),
    ("Kecamatan Ngadirejo, Kabupaten Temanggung", "", "Temanggung", "partial"),
    ("Kecamatan Ngadirejo, Kabupaten Temanggung", "Kecamatan Parakan", "Magelang", "wrong"),
    # a kota is not the kabupaten of the same name
    ("Kelurahan Kejuron (Kota Madiun)", "Kelurahan Kejuron", "Madiun", "partial"),
    ("Kelurahan Kejuron (Kota Madiun)", "Kelurahan Kejuron", "Kota Madiun", "right"),
    # the organisation or its sub-unit, the parent in the unit's name
    ("Badan Pusat Statistik Provinsi Jambi - Bagian Umum", "BPS", "", "wrong"),
    (
        "Badan Pusat Statistik Provinsi Jambi - Bagian Umum",
        "Badan Pusat Statistik Provinsi Jambi",
        "",
        "right",
    ),
    ("Dinas Sosial Kabupaten Kendal", "Dinas Sosial", "Kendal", "right"),
    ("Kantor Kementerian Agama Kabupaten Blora - PTSP", "Kantor Kementerian", "Blora", "partial"),
    ("Kantor Kementerian Agama Kabupaten Blora - PTSP", "Kementerian Agama", "Blora", "right"),
    ("SMA Negeri 1 Wonosari (school)", "SMA Negeri 1 Wonosari", "", "right"),
    # a parent known only from the site is not asked of the text
    ("Kelurahan Bugel (Kota Salatiga, per site)", "Kelurahan Bugel", "", "right"),
]


@pytest.mark.parametrize(("cell", "office", "kabupaten", "score"), OFFICES)
def test_office_score(cell: str, office: str, kabupaten: str, score: str) -> None:
    expected = expected_office(cell)
    assert expected is not None
    assert office_score(expected, office, kabupaten) == score


@pytest.mark.parametrize(
    "cell",
    [
        "",
        "A kecamatan in Kabupaten Grobogan (SIPPN entry; kecamatan not named)",
        "Unknown dinas (office not named in text)",
        "Desa Sukamaju (per site)",  # the text does not name it
    ],
)
def test_offices_the_text_does_not_name_are_not_scored(cell: str) -> None:
    assert expected_office(cell) is None


def test_office_scored_in_the_report(tmp_path) -> None:
    seed = CORPUS / "lumajang-kec-sumbersuko-rekomendasi-ot.txt"
    rows = [
        {"file": "a.txt", "office": "Kecamatan Sumbersuko, Kabupaten Lumajang"},
        {"file": "b.txt", "office": "Kecamatan Candipuro, Kabupaten Lumajang"},
        {"file": "c.txt", "office": "Unknown office (not named)"},
    ]
    (tmp_path / "docs").mkdir()
    for r in rows:
        shutil.copy(seed, tmp_path / "docs" / r["file"])
        r.update({"kind": "sop-ap-table", "sops": "1", "titles": "x", "n_steps": "3"})
    with (tmp_path / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, [*FIELDS, "office"])
        writer.writeheader()
        writer.writerows(rows)
    report = evaluate_docs(tmp_path)
    assert [d.office for d in report.docs] == ["right", "partial", ""]
    t = report.totals
    assert (t["office_right"], t["office_partial"], t["office_wrong"], t["office_scored"]) == (
        1,
        1,
        0,
        2,
    )
    assert any(
        line.startswith("office: 1 right, 1 partial, 0 wrong of 2") for line in report.lines()
    )
