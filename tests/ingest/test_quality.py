"""The pass every loader ends with: canonical actors, actors read from the
activity, and the warnings and confidence a reviewer reads."""

from __future__ import annotations

import pytest

from sopdata.ingest.quality import finalise, infer_actors, is_terminator
from sopdata.records import SOP, Actor, Step
from sopdata.text.durations import parse_duration

ACTORS = ["Agendaris", "Camat", "Sekretaris Camat"]


def step(no: str, activity: str, actors: list[str] | None = None, waktu: str = "5 menit") -> Step:
    return Step(no=no, activity=activity, actors=actors or [], duration=parse_duration(waktu))


def sop(
    steps: list[Step],
    actors: list[str] = ACTORS,
    number: str = "065/03.SOP.SEK/415.67/2022",
    title: str = "Pengelolaan Surat Keluar",
) -> SOP:
    return SOP(
        source_file="surat.txt",
        title=title,
        office="Kecamatan Jogoroto",
        number=number,
        actors=[Actor(raw=a) for a in actors],
        steps=steps,
    )


CLEAN = [
    step("1", "Menerima draf surat keluar", ["Agendaris"]),
    step("2", "Menandatangani surat keluar", ["Camat"], "15 menit"),
    step("3", "Mengirim surat", ["Agendaris"], "1 hari"),
]


def clean() -> list[Step]:
    return [Step(s.no, s.activity, list(s.actors), duration=s.duration) for s in CLEAN]


@pytest.mark.parametrize(
    "record,ocr,confidence,warnings",
    [
        (sop(clean()), False, 1.0, []),
        # an OCR'd SOP is never trusted above 0.6
        (sop(clean()), True, 0.6, []),
        (sop([]), False, 0.4, ["tabel langkah tidak ditemukan atau kosong"]),
        (
            sop([], number="", title="SOP tanpa judul #1"),
            False,
            0.15,
            [
                "tabel langkah tidak ditemukan atau kosong",
                "blok identitas SOP (Nomor, tanggal, Dasar Hukum ...) tidak ada di dokumen",
            ],
        ),
        # every actor column empty although the table has actor columns: the marks were lost
        (
            sop([step("1", "Menerima surat"), step("2", "Membaca surat")]),
            False,
            0.8,
            ["kolom pelaksana kosong: simbol flowchart hilang"],
        ),
        (
            sop([step("1", "Menerima surat", ["Agendaris"]), step("2", "Membaca surat")]),
            False,
            0.9,
            ["pelaksana tidak ditandai pada langkah 2"],
        ),
        # Waktu: unreadable, a deadline (not a length), empty
        (
            sop(
                [
                    step("1", "Menerima surat", ["Agendaris"], "10 ekt"),
                    step("2", "Membaca surat", ["Camat"], "H-3"),
                    step("3", "Mengirim surat", ["Agendaris"], ""),
                    step("4", "Mengarsip surat", ["Agendaris"]),
                ]
            ),
            False,
            0.9,
            [
                "waktu tidak terbaca pada langkah 1: '10 ekt'",
                "langkah 2: 'H-3' adalah tenggat, bukan lama kegiatan",
                "waktu kosong pada langkah 3",
            ],
        ),
        (
            sop(
                [
                    step("1", "Menerima surat", ["Agendaris"]),
                    step("2", "Membaca surat", ["Camat"]),
                    step("4", "Mengirim surat", ["Agendaris"]),
                ]
            ),
            False,
            0.95,
            ["nomor langkah tidak berurutan: 1, 2, 4"],
        ),
        # Mulai/Selesai rows carry no actor or Waktu and are not held against the SOP
        (
            sop(
                [
                    step("1", "Mulai", waktu=""),
                    step("2", "Menerima surat", ["Agendaris"]),
                    step("3", "Menandatangani surat", ["Camat"]),
                    step("4", "Selesai", waktu=""),
                ]
            ),
            False,
            1.0,
            [],
        ),
    ],
    ids=[
        "clean",
        "ocr-cap",
        "no-steps",
        "no-steps-no-title-no-identity",
        "marks-lost",
        "one-unmarked",
        "waktu",
        "numbering",
        "terminators",
    ],
)
def test_confidence_and_warnings(
    record: SOP, ocr: bool, confidence: float, warnings: list[str]
) -> None:
    [out] = finalise([record], ocr=ocr)
    assert out is record
    assert out.warnings == warnings
    assert out.confidence == pytest.approx(confidence)


def test_actors_read_from_the_activity_raise_confidence() -> None:
    record = sop(
        [
            step("1", "Agendaris menerima draf surat"),
            step("2", "Sekretaris Camat memaraf draf surat"),
            step("3", "Camat menandatangani surat keluar"),
            step("4", "Menyerahkan surat kepada Camat"),
        ]
    )
    finalise([record])
    # the longest name that opens the activity wins ("Sekretaris Camat", not "Camat"); a name
    # mentioned later in the sentence is not its actor
    assert [s.actors for s in record.steps] == [["Agendaris"], ["Sekretaris Camat"], ["Camat"], []]
    assert [s.actors_inferred for s in record.steps] == [True, True, True, False]
    assert record.warnings == [
        "pelaksana tidak ditandai pada langkah 4",
        "pelaksana dibaca dari teks kegiatan pada langkah 1, 2, 3",
    ]
    assert record.confidence == pytest.approx(0.95)


def test_marked_actors_are_never_replaced_and_terminators_get_none() -> None:
    record = sop([step("1", "Mulai"), step("2", "Camat menandatangani surat", ["Agendaris"])])
    assert infer_actors(record) == 0
    assert record.steps[1].actors == ["Agendaris"] and not record.steps[1].actors_inferred
    assert infer_actors(sop([step("1", "Camat menandatangani surat")], actors=[])) == 0


def test_canonical_names_are_filled_but_never_overwritten() -> None:
    record = sop(clean(), actors=["Sekcam", "Kasubag Umum"])
    record.actors.append(Actor(raw="Pak Camat", canonical="Camat"))
    finalise([record])
    assert [a.canonical for a in record.actors] == [
        "Sekretaris Kecamatan",
        "Kasubag Umum dan Kepegawaian",
        "Camat",
    ]


@pytest.mark.parametrize(
    "activity,terminator",
    [
        ("Mulai", True),
        (" SELESAI. ", True),
        ("(start)", True),
        ("End", True),
        ("Mulai menyusun konsep", False),
        ("Selesaikan berkas", False),
        ("", False),
    ],
)
def test_is_terminator(activity: str, terminator: bool) -> None:
    assert is_terminator(activity) is terminator
