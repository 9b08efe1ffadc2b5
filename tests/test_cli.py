"""The command line with the hours of a working day (--jam-kerja)."""

from __future__ import annotations

import json

import pytest

from sopdata.cli import main
from sopdata.evaluate import ACTIVITY_SET_DIR
from sopdata.text.durations import DurationSettings, format_minutes
from tests.support.paths import CORPUS

KINERJA = str(
    CORPUS / "lumajang-kec-candipuro-pengumpulan-data-kinerja.txt"
)  # 3 Hari, 2 Hari, 1 Hari


def _parse(capsys, *args: str):
    assert main(["parse", KINERJA, "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)[0]


def test_parse_reads_days_with_jam_kerja(capsys):
    standard = _parse(capsys)
    eight = _parse(capsys, "--jam-kerja", "8")
    assert standard["hours_per_working_day"] == 7.5 and eight["hours_per_working_day"] == 8
    one_day = next(s for s in eight["steps"] if s["duration_raw"] == "1 Hari")
    assert one_day["duration_minutes"] == 480
    assert eight["total_minutes"] == standard["total_minutes"] + 6 * 30  # six days in all
    assert main(["parse", KINERJA, "--jam-kerja", "8"]) == 0
    table = capsys.readouterr().out
    assert (
        format_minutes(eight["total_minutes"], DurationSettings(hours_per_working_day=8)) in table
    )


@pytest.mark.parametrize("bad", ["0", "25", "delapan"])
def test_jam_kerja_must_be_hours_in_a_day(bad, capsys):
    with pytest.raises(SystemExit):
        main(["parse", KINERJA, "--jam-kerja", bad])
    assert "jam" in capsys.readouterr().err


def test_harmonise_with_jam_kerja(capsys):
    files = sorted(str(p) for p in CORPUS.glob("*.txt"))
    assert (
        main(
            [
                "harmonise",
                *files,
                "--query",
                "surat keluar",
                "--encoder",
                "tfidf",
                "--json",
                "--jam-kerja",
                "8",
            ]
        )
        == 0
    )
    payload = json.loads(capsys.readouterr().out)
    assert payload["harmonised"]["hours_per_working_day"] == 8
    jogoroto = next(v for v in payload["total"]["values"] if v["office"] == "Kecamatan Jogoroto")
    # its "1 Harl" is 480 minutes; the total is written with the same 8-hour day
    assert jogoroto == {
        "office": "Kecamatan Jogoroto",
        "minutes": 615.0,
        "raw": "1 hari 2 jam 15 menit",
    }


UA_MODELS = ACTIVITY_SET_DIR


def test_align_two_documents_as_json(capsys, tmp_path):
    from sopdata.records import SOP, Step

    a = SOP(
        source_file="a.json",
        title="Surat Keluar",
        office="Kecamatan A",
        steps=[
            Step(no="1", activity="Menerima konsep surat keluar"),
            Step(no="2", activity="Memeriksa dan memaraf konsep surat"),
            Step(no="3", activity="Menandatangani surat keluar"),
            Step(no="4", activity="Mengarsipkan salinan surat"),
        ],
    )
    b = SOP(
        source_file="b.json",
        title="Pengelolaan Surat Keluar",
        office="Kecamatan B",
        steps=[
            Step(no="1", activity="Menerima konsep surat keluar"),
            Step(no="2", activity="Menandatangani surat keluar"),
            Step(no="3", activity="Memeriksa dan memaraf konsep surat"),
        ],
    )
    path_a, path_b = tmp_path / "a.json", tmp_path / "b.json"
    path_a.write_text(json.dumps(a.to_dict()), encoding="utf-8")
    path_b.write_text(json.dumps([b.to_dict()]), encoding="utf-8")  # a list, as parse writes
    assert main(["align", str(path_a), str(path_b), "--json", "--encoder", "tfidf"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["a"] == {"source_file": "a.json", "office": "Kecamatan A", "title": "Surat Keluar"}
    links = {(tuple(c["a_steps"]), tuple(c["b_steps"])): c["kind"] for c in out["correspondences"]}
    assert set(links) == {(("1",), ("1",)), (("2",), ("3",)), (("3",), ("2",))}
    assert sorted(links.values()) == ["sama", "sama", "urutan berbeda"]
    assert out["only_a"] == ["4"] and out["only_b"] == []
    assert all(isinstance(c["score"], float) for c in out["correspondences"])
    # without --json: a readable Indonesian table
    assert main(["align", str(path_a), str(path_b), "--encoder", "tfidf"]) == 0
    table = capsys.readouterr().out
    assert "urutan berbeda" in table and "hanya di A" in table and "Langkah A" in table


def test_align_picks_an_sop_by_title_from_a_document(capsys):
    doc = str(CORPUS / "setda-bagian-organisasi-sop.txt")
    args = ["align", doc, doc, "--title-a", "surat keluar", "--title-b", "surat keluar"]
    assert main([*args, "--json", "--encoder", "tfidf"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["a"]["title"] == out["b"]["title"] and "Surat Keluar" in out["a"]["title"]
    # the book names no office; the corpus provenance note does, as in harmonise
    assert out["a"]["office"] == "Sekretariat Daerah (Bagian Organisasi)"
    assert all(c["a_steps"] == c["b_steps"] for c in out["correspondences"])
    assert out["only_a"] == out["only_b"] == []
    assert main(["align", doc, doc, "--title-a", "tidak ada judul begini", "--encoder", "tfidf"])
    assert "Galat" in capsys.readouterr().err


def test_align_pairs_prints_one_object_per_line(capsys, tmp_path):
    models = UA_MODELS / "models"
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        f"a,b\n{models / 'Cologne.json'},{models / 'Frankfurt.json'}\n"
        f"{models / 'Potsdam.json'},{models / 'TU_Munich.json'}\n",
        encoding="utf-8",
    )
    assert main(["align", "--pairs", str(pairs), "--json", "--encoder", "tfidf"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(x)["a"]["office"] for x in lines] == ["Cologne", "Potsdam"]
    first = json.loads(lines[0])
    assert {"a_steps": ["1"], "b_steps": ["1"]}.items() <= first["correspondences"][0].items()


def test_align_needs_two_files_or_pairs(capsys):
    assert main(["align", "--encoder", "tfidf"]) == 1
    assert "Galat" in capsys.readouterr().err


def test_parse_reports_ocr_progress_of_a_page_image(capfd, tmp_path):
    """A scan is read in the capped worker, which reports each page on stderr."""
    import shutil

    from PIL import Image, ImageDraw

    if not shutil.which("tesseract"):
        pytest.skip("needs tesseract-ocr-ind (.ci/run installs it)")
    page = Image.new("L", (1200, 300), 255)
    ImageDraw.Draw(page).text((40, 40), "NAMA SOP PENGELOLAAN SURAT MASUK", fill=0)
    page.save(tmp_path / "pindaian.png")
    assert main(["parse", str(tmp_path / "pindaian.png"), "--json"]) == 0
    out, err = capfd.readouterr()
    assert "OCR pindaian.png: halaman 1/1 selesai" in err
    assert json.loads(out)[0]["title"] == "Pengelolaan Surat Masuk"
