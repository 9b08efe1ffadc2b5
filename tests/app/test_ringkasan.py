"""Ringkasan, the home page, on the bundled corpus (AppTest, TF-IDF matching): counts,
coverage, group status saved and found again after a restart, next steps, the
readers' problems and the meeting pack opened with openpyxl and python-docx."""

from __future__ import annotations

import io

import docx
import pytest
import streamlit.testing.v1.app_test as app_test_module
from openpyxl import load_workbook
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from sopdata.review.store import StoreError, WorkStore
from tests.support.paths import ROOT

APP = str(ROOT / "app.py")
SETDA_COLUMN = "Setda (Bag. Organisasi)"  # "Sekretariat Daerah (Bagian Organisasi)"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("SOP_HARMONI_DATA", str(folder))
    with WorkStore.in_dir(folder) as ws:
        ws.set_setting("encoder", "tfidf")  # fast matching: these tests are about the page
    return folder


@pytest.fixture
def storages(monkeypatch) -> list[MemoryMediaFileStorage]:
    """Every media storage the AppTests make, to read downloads back."""
    made: list[MemoryMediaFileStorage] = []

    class Recording(MemoryMediaFileStorage):
        def __init__(self, endpoint: str) -> None:
            super().__init__(endpoint)
            made.append(self)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)
    return made


def _home() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _downloaded(at: AppTest, storages: list[MemoryMediaFileStorage], label: str) -> bytes:
    button = next(b for b in at.get("download_button") if b.proto.label == label)
    name = button.proto.url.rsplit("/", 1)[1]
    for storage in reversed(storages):
        try:
            return storage.get_file(name).content  # type: ignore[return-value]
        except Exception:
            continue
    raise AssertionError(f"download {label} not found")


def _status_table(at: AppTest):  # type: ignore[no-untyped-def]
    return next(d.value for d in at.dataframe if "Status" in d.value.columns)


def test_home_page_counts_coverage_and_next_steps(data_dir) -> None:
    at = _home()
    assert at.title[0].value == "Ringkasan"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Dokumen": "5", "SOP": "42", "Kantor": "5", "Kelompok prosedur": "8"}
    coverage = at.dataframe[0].value
    assert "Prosedur" in coverage.columns and SETDA_COLUMN in coverage.columns
    laporan = coverage[coverage["Prosedur"] == "Laporan Kinerja"].iloc[0]
    assert laporan[SETDA_COLUMN] == "✓" and laporan["Kec. Lumajang"] == "—"
    assert laporan["Kantor tanpa SOP"] == 2
    assert len(at.get("vega_lite_chart")) == 1  # the coverage heatmap
    links = [link.proto.label for link in at.get("page_link")]
    assert any(label.startswith("Unggah SOP") for label in links)  # nothing uploaded yet
    assert any(label.startswith("8 kelompok belum ditinjau") for label in links)
    status = _status_table(at)
    assert len(status) == 8 and set(status["Status"]) == {"Belum ditinjau"}
    # the readers' problems: the OCR parses of Jogoroto read with low confidence
    problems = next(d.value for d in at.dataframe if "Masalah" in d.value.columns)
    low = problems[problems["Masalah"] == "Keyakinan rendah"]
    assert len(low) == 14 and set(low["Kantor"]) == {"Kecamatan Jogoroto"}
    assert any("Korpus" in label for label in links)
    # nothing agreed yet: no group chosen for the meeting, so no pack
    assert at.multiselect(key="meeting_groups").value == []
    assert at.get("download_button") == []


def test_status_change_is_saved_and_shown_after_a_restart(data_dir, storages) -> None:
    at = _home()
    gid = at.selectbox(key="status_group").value  # the first group
    title = _status_table(at)["Kelompok"].iloc[0]
    at.selectbox(key=f"status_pick_{gid}").select("disepakati").run()
    at.text_input(key=f"status_note_{gid}").input("rapat 29 November")
    at.button(key="status_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.toast] == ["Status disimpan: Disepakati."]
    assert at.selectbox(key=f"status_pick_{gid}").value == "disepakati"  # the choice stays
    row = _status_table(at).iloc[0]
    assert (row["Kelompok"], row["Status"], row["Oleh"]) == (title, "Disepakati", "peninjau")
    assert row["Waktu (WIB)"].endswith(" WIB")
    # agreed: put on the meeting's list in this session too, so both files are offered
    assert at.multiselect(key="meeting_groups").value == [gid]
    assert len(at.get("download_button")) == 2
    with WorkStore.in_dir(data_dir) as ws:
        saved = ws.group_statuses()[gid]
    assert (saved.status, saved.note) == ("disepakati", "rapat 29 November")

    restarted = _home()
    row = _status_table(restarted).iloc[0]
    assert (row["Kelompok"], row["Status"]) == (title, "Disepakati")
    links = [link.proto.label for link in restarted.get("page_link")]
    assert any(label.startswith("1 kelompok disepakati tanpa rancangan") for label in links)
    # the agreed group is chosen for the meeting pack: both files are offered
    assert restarted.multiselect(key="meeting_groups").value == [gid]
    labels = [b.proto.label for b in restarted.get("download_button")]
    assert labels == ["Unduh paket rapat (.xlsx)", "Unduh berita acara (.docx)"]

    book = load_workbook(io.BytesIO(_downloaded(restarted, storages, labels[0])))
    assert book.sheetnames[0] == "Ringkasan" and len(book.sheetnames) >= 3
    assert book.sheetnames[1].startswith("1 Prosedur - ")
    summary = list(book["Ringkasan"].iter_rows(min_row=5, max_row=5, values_only=True))[0]
    assert summary[1] == title and summary[3] == "Disepakati"
    minutes = docx.Document(io.BytesIO(_downloaded(restarted, storages, labels[1])))
    text = "\n".join(p.text for p in minutes.paragraphs)
    agreed = text.split("B. Kelompok prosedur yang disepakati")[1].split("C. Temuan")[0]
    assert title in agreed
    attendees = minutes.tables[1]
    assert [c.text for c in attendees.rows[0].cells] == ["Nama", "Jabatan", "Tanda tangan"]


def test_choosing_more_groups_puts_them_in_the_pack(data_dir, storages) -> None:
    at = _home()
    options = at.multiselect(key="meeting_groups").options
    at.multiselect(key="meeting_groups").select(options[1]).select(options[2]).run()
    assert not at.exception, [e.value for e in at.exception]
    book = load_workbook(io.BytesIO(_downloaded(at, storages, "Unduh paket rapat (.xlsx)")))
    assert len(book.sheetnames) == 1 + 2 * 2
    assert [n.split(" ", 2)[:2] for n in book.sheetnames[1:]] == [
        ["1", "Prosedur"],
        ["1", "Temuan"],
        ["2", "Prosedur"],
        ["2", "Temuan"],
    ]


def test_a_status_the_store_cannot_save_is_an_indonesian_message(data_dir, monkeypatch) -> None:
    def busy(self, *args, **kwargs):
        raise StoreError(
            "Basis data kerja sedang dipakai proses lain terlalu lama. Tunggu sebentar "
            "lalu simpan lagi; perubahan Anda belum tersimpan.",
            "database is locked",
        )

    at = _home()
    gid = at.selectbox(key="status_group").value
    at.selectbox(key=f"status_pick_{gid}").select("dibahas").run()
    monkeypatch.setattr(WorkStore, "set_group_status", busy)
    at.button(key="status_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(e.value.startswith("Basis data kerja sedang dipakai") for e in at.error)
    assert at.selectbox(key=f"status_pick_{gid}").value == "dibahas"  # kept on screen
    assert set(_status_table(at)["Status"]) == {"Belum ditinjau"}
    assert [t.value for t in at.toast] == []


def test_while_the_model_is_prepared_the_page_says_so_and_does_not_match(
    data_dir, monkeypatch
) -> None:
    import app_pages._state as state

    class Preparing:
        done = False
        fraction = 0.4
        message = "Mengekspor model ke ONNX …"

    def no_matching(*args, **kwargs):
        raise AssertionError("matching computed while the model is being prepared")

    monkeypatch.setattr(state, "model_preparation", lambda spec: Preparing())
    monkeypatch.setattr(state, "corpus_matches", no_matching)
    at = _home()
    assert any("sedang disiapkan" in i.value for i in at.info)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["SOP"] == "42" and metrics["Kelompok prosedur"] == "…"
    assert [p.value for p in at.get("progress")][0] == 40
    assert "Status kelompok" not in [s.value for s in at.subheader]
    assert "Masalah pembacaan dokumen" in [s.value for s in at.subheader]


def test_a_model_that_cannot_load_leaves_the_rest_of_the_page(data_dir, monkeypatch) -> None:
    import app_pages._state as state
    from embeddings import EncoderError

    def broken(spec: str, cache_dir=None):
        raise EncoderError("Model embedding tidak dapat dimuat: berkas model rusak (uji).")

    monkeypatch.setattr(state, "get_encoder", broken)
    with WorkStore.in_dir(data_dir) as ws:
        ws.set_setting("encoder", "st:/model-ringkasan-rusak")  # a spec no test has cached
    at = _home()
    assert [e.value for e in at.error] == [
        "Model embedding tidak dapat dimuat: berkas model rusak (uji)."
    ]
    assert {m.label: m.value for m in at.metric}["SOP"] == "42"
    assert "Masalah pembacaan dokumen" in [s.value for s in at.subheader]
    assert "Status kelompok" not in [s.value for s in at.subheader]


def test_a_status_changed_meanwhile_elsewhere_is_not_overwritten(data_dir) -> None:
    at = _home()
    gid = at.selectbox(key="status_group").value
    at.selectbox(key=f"status_pick_{gid}").select("ditetapkan").run()
    with WorkStore.in_dir(data_dir) as ws:  # another reviewer, in another tab
        ws.set_group_status(gid, "dibahas", "Budi")
    at.button(key="status_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("baru saja diubah di tempat lain" in e.value for e in at.error)
    assert at.selectbox(key=f"status_pick_{gid}").value == "ditetapkan"  # kept on screen
    assert _status_table(at)["Status"].iloc[0] == "Dibahas"  # the other reviewer's, shown
    at.button(key="status_save").click().run()  # saved again, on purpose
    assert _status_table(at)["Status"].iloc[0] == "Ditetapkan"
    with WorkStore.in_dir(data_dir) as ws:
        assert [h.author for h in ws.group_status_history(gid)] == ["Budi", "peninjau"]
