"""Coverage of procedures × offices on the bundled corpus's real groups (TF-IDF matching)."""

from __future__ import annotations

import pytest

from embeddings import get_encoder
from sopdata.coverage import (
    OFFICE_LINE,
    STATE_LABEL,
    coverage,
    coverage_chart,
    coverage_frame,
    coverage_long,
    office_columns,
    short_label,
    short_office,
)
from sopdata.matching.match import match_corpus
from sopdata.matching.pairs import PairMatch
from sopdata.records import SOP
from sopdata.review.workspace import build_groups

SETDA = "Sekretariat Daerah (Bagian Organisasi)"
OFFICES = {
    SETDA,
    "Kecamatan Jogoroto",
    "Kecamatan Candipuro",
    "Kecamatan Lumajang",
    "Kecamatan Sumbersuko",
}


@pytest.fixture(scope="module")
def matches(corpus_sops: list[SOP]) -> list[PairMatch]:
    found, _ = match_corpus(corpus_sops, get_encoder("tfidf"))
    return found


@pytest.fixture(scope="module")
def cov(corpus_sops, matches):  # type: ignore[no-untyped-def]
    return coverage(build_groups(corpus_sops, matches), corpus_sops)


def _row(cov, title: str):  # type: ignore[no-untyped-def]
    return next(r for r in cov.rows if r.title == title)


def test_every_office_of_the_corpus_is_a_column(cov) -> None:  # type: ignore[no-untyped-def]
    assert set(cov.offices) == OFFICES
    # the offices with most procedures first
    assert cov.offices[:2] == ("Kecamatan Jogoroto", SETDA)


@pytest.mark.parametrize(
    ("title", "present", "missing"),
    [
        (
            "Laporan Kinerja",
            {"Kecamatan Jogoroto", "Kecamatan Candipuro", SETDA},
            {"Kecamatan Lumajang", "Kecamatan Sumbersuko"},
        ),
        (
            "Pelayanan Rekomendasi Surat Keterangan Organisasi Terlarang (OT)",
            {"Kecamatan Jogoroto", "Kecamatan Sumbersuko"},
            OFFICES - {"Kecamatan Jogoroto", "Kecamatan Sumbersuko"},
        ),
        ("Surat Keluar", {"Kecamatan Jogoroto", SETDA}, OFFICES - {"Kecamatan Jogoroto", SETDA}),
    ],
)
def test_who_has_which_procedure(cov, title: str, present: set[str], missing: set[str]) -> None:  # type: ignore[no-untyped-def]
    row = _row(cov, title)
    states = {c.office: c.state for c in row.cells}
    assert {o for o, s in states.items() if s == "present"} == present
    assert set(row.missing) == missing
    assert row.several == []


def test_two_sops_of_one_office_in_a_group_are_two_versions(corpus_sops, matches) -> None:  # type: ignore[no-untyped-def]
    """A reviewer moves a second Jogoroto SOP into the Surat Keluar group."""
    groups = build_groups(corpus_sops, matches)
    letters = next(g for g in groups if g.title == "Surat Keluar")
    grouped = {s.key for g in groups for s in g.sops}
    extra = next(s for s in corpus_sops if s.label == "Kecamatan Jogoroto" and s.key not in grouped)
    moved = build_groups(corpus_sops, matches, overrides={extra.key: letters.id})
    cov = coverage(moved, corpus_sops)
    row = cov.row(letters.id)
    assert row.several == ["Kecamatan Jogoroto"]
    cell = next(c for c in row.cells if c.office == "Kecamatan Jogoroto")
    assert extra.title in cell.titles and len(cell.titles) == 2
    frame = coverage_frame(cov)
    line = frame[frame["Prosedur"] == "Surat Keluar"].iloc[0]
    assert line["Kec. Jogoroto"] == "✓✓" and line["Setda (Bag. Organisasi)"] == "✓"
    assert line["Kec. Lumajang"] == "—" and line["Kantor tanpa SOP"] == 3


def test_table_has_a_row_per_group_and_a_column_per_office(cov) -> None:  # type: ignore[no-untyped-def]
    frame = coverage_frame(cov)
    headers = office_columns(cov)
    assert headers[SETDA] == "Setda (Bag. Organisasi)"
    assert list(frame.columns) == [
        "Prosedur",
        "Kantor tanpa SOP",
        *(headers[o] for o in cov.offices),
    ]
    assert len(frame) == len(cov.rows) == 8
    assert frame["Kantor tanpa SOP"].tolist() == [len(r.missing) for r in cov.rows]


def test_chart_labels_are_short_unique_and_the_tooltip_full(cov) -> None:  # type: ignore[no-untyped-def]
    long = coverage_long(cov, width=20)
    assert len(long) == len(cov.rows) * len(cov.offices)
    assert long["Prosedur"].nunique() == len(cov.rows)
    assert long["Kantor"].nunique() == len(cov.offices)
    # office names are wrapped on lines, never cut
    setda = long[long["Nama kantor"] == SETDA]["Kantor"].iloc[0]
    assert setda.split("\n") == ["Sekretariat", "Daerah (Bagian", "Organisasi)"]
    assert all(len(line) <= OFFICE_LINE for line in setda.split("\n"))
    assert long["Prosedur"].str.len().max() <= 20 + 4  # "NN. " before the short title
    ot = long[long["Judul prosedur"].str.contains("Organisasi Terlarang")]
    assert ot["Prosedur"].iloc[0].endswith("…")
    assert set(long["Nama kantor"]) == OFFICES
    assert set(long["Keadaan"]) <= set(STATE_LABEL.values())
    spec = coverage_chart(long).to_dict()
    assert spec["mark"]["type"] == "rect"
    assert {t["field"] for t in spec["encoding"]["tooltip"]} >= {"Judul prosedur", "Nama kantor"}


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("Surat Keluar", 38, "Surat Keluar"),
        ("Sekretariat Daerah (Bagian Organisasi)", 38, "Sekretariat Daerah (Bagian Organisasi)"),
        ("Sekretariat Daerah (Bagian Organisasi)", 20, "Sekretariat Daerah…"),
        ("Pengajuan   Kenaikan\nPangkat PNS", 100, "Pengajuan Kenaikan Pangkat PNS"),
        ("Abcdefghijklmnopqrstuvwxyz", 10, "Abcdefghi…"),
    ],
)
def test_short_label(text: str, width: int, expected: str) -> None:
    assert short_label(text, width) == expected


def test_no_groups_no_rows(corpus_sops) -> None:  # type: ignore[no-untyped-def]
    cov = coverage([], corpus_sops)
    assert cov.rows == () and set(cov.offices) == OFFICES
    assert len(coverage_frame(cov)) == 0 and len(coverage_long(cov)) == 0


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Kecamatan Jogoroto", "Kec. Jogoroto"),
        (SETDA, "Setda (Bag. Organisasi)"),
        ("Kelurahan  Kepanjen Kidul", "Kel. Kepanjen Kidul"),
        ("Sub Bagian Umum Kecamatan Candipuro", "Subbag. Umum Kec. Candipuro"),
        ("Sekretariat DPRD Kabupaten Lumajang", "Setwan Kab. Lumajang"),
        ("Dinas Kependudukan", "Dinas Kependudukan"),
        ("lumajang-kecamatan.txt", "lumajang-kecamatan.txt"),
    ],
)
def test_short_office(name: str, expected: str) -> None:
    assert short_office(name) == expected


def test_offices_that_abbreviate_alike_keep_their_names() -> None:
    from sopdata.coverage import Coverage

    cov = Coverage(offices=("Kecamatan Jati", "Kec. Jati"), rows=())
    assert office_columns(cov) == {"Kecamatan Jati": "Kecamatan Jati", "Kec. Jati": "Kec. Jati"}
