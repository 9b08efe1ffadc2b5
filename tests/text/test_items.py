from __future__ import annotations

import pytest

from sopdata.ingest.corpus import load_corpus
from sopdata.text.items import activity_items, activity_line


@pytest.mark.parametrize(
    "activity,items",
    [
        # a Word cell listing acts, one a line (Setda book)
        (
            "Memberi nomor agenda surat\nMemperbanyak sesuai kebutuhan\nDimasukan ke amplop surat",
            [
                "Memberi nomor agenda surat",
                "Memperbanyak sesuai kebutuhan",
                "Dimasukan ke amplop surat",
            ],
        ),
        # list markers are stripped; a marked line may start in lower case
        (
            "- Mengajukan permohonan\n- mengajukan berkas",
            ["Mengajukan permohonan", "mengajukan berkas"],
        ),
        ("1. Menerima berkas\n2. Memeriksa berkas", ["Menerima berkas", "Memeriksa berkas"]),
        # branches written one a line are items too (BPS PDF rows)
        (
            "Menerima surat dari kurir\nJika tidak, ditolak",
            ["Menerima surat dari kurir", "Jika tidak, ditolak"],
        ),
        # one act
        ("Penandatanganan surat keluar", []),
        ("", []),
        # a sentence wrapped in a PDF cell: the next line goes on in lower case
        ("Pembina wilayah mengumpulkan laporan bulanan tiap\ntanggal 29.", []),
        # (so a list written in lower case reads as one act: Setda, Surat Masuk 1)
        ("Menerima dan meneliti surat masuk\nmemberi lembar disposisi", []),
        # ... or the line breaks after a function word, before a name
        ("Menyampaikan berkas kepada\nKepala Seksi Pemerintahan", []),
        ("Send the documents to\nThe Registrar", []),
        # ... or a title-case label wraps before a function word
        ("Send Letter\nOf Acceptance", []),
        ("Kirim Surat Pengantar\nKepada Camat", []),
        # a line of one word is no act ("Kabag" is the rest of a wrapped line)
        ("Memparaf surat\nKabag", []),
        # a parenthesised remark is no act
        ("Menyusun rancangan\n(revisi dilaksanakan saat reviu)", []),
    ],
)
def test_activity_items(activity, items):
    assert activity_items(activity) == items


def test_setda_steps_list_their_acts_and_ocr_rows_do_not():
    """In the seed corpus only the Word tables list acts in a cell: the Setda
    book writes about half its steps so; the OCR rows of the Jogoroto book,
    one line each, list none."""
    sops = load_corpus()
    setda = [s for sop in sops if "setda" in sop.source_file for s in sop.steps]
    ocr = [s for sop in sops if "jogoroto" in sop.source_file for s in sop.steps]
    listed = [s for s in setda if activity_items(s.activity)]
    assert len(listed) >= len(setda) // 3
    assert not any(activity_items(s.activity) for s in ocr)


@pytest.mark.parametrize(
    "activity,line",
    [
        (
            "Memberi nomor agenda surat\nMemperbanyak sesuai kebutuhan",
            "Memberi nomor agenda surat; Memperbanyak sesuai kebutuhan",
        ),
        ("- Menerima  berkas\n- Memeriksa berkas", "Menerima berkas; Memeriksa berkas"),
        (
            "Pembina wilayah mengumpulkan laporan tiap\ntanggal 29.",
            "Pembina wilayah mengumpulkan laporan tiap tanggal 29.",
        ),
        ("  Penandatanganan   surat ", "Penandatanganan surat"),
    ],
)
def test_activity_line(activity, line):
    assert activity_line(activity) == line
