"""Every page of the app on the bundled corpus (AppTest, no browser), with the
reviewer's work saved to a temporary data folder and found again after a restart."""

from __future__ import annotations

import hashlib
import io

import pytest
import streamlit.testing.v1.app_test as app_test_module
from docx import Document
from openpyxl import load_workbook
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from app_pages._state import plain
from embeddings import EncoderError
from sopdata.ingest.corpus import load_corpus
from sopdata.records import SOP, Step
from sopdata.review.store import StoreError, WorkStore, pair_key
from sopdata.text.durations import parse_duration
from tests.support.paths import CORPUS, ROOT

APP = str(ROOT / "app.py")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("SOP_HARMONI_DATA", str(folder))
    return folder


def _key(corpus_file: str, index: int) -> str:
    """``SOP.key`` of an SOP of the bundled corpus: its document's content and position."""
    return f"{hashlib.sha256((CORPUS / corpus_file).read_bytes()).hexdigest()[:12]}#{index}"


def _app(page: str = "app_pages/korpus.py") -> AppTest:
    """The app opened on ``page`` (Korpus unless told; the home page, Ringkasan, has
    its own tests in test_ringkasan.py)."""
    at = AppTest.from_file(APP, default_timeout=300).switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_korpus_page_lists_the_bundled_corpus(data_dir):
    at = _app()
    assert at.title[0].value == "Korpus SOP"
    assert at.caption[1].value.startswith("42 SOP dari 5 dokumen")
    table = at.dataframe[0].value
    assert len(table) == 42 and "Surat Keluar" in set(table["Judul SOP"])
    at.selectbox(key="korpus_sop").select(41).run()
    assert not at.exception
    assert at.subheader[0].value == "Pengarsipan Surat Masuk/Keluar"


def test_upload_a_real_file_and_a_broken_one(data_dir):
    at = _app()
    # a revised copy of a bundled document (an identical copy is the same document: it adds nothing)
    seed = (CORPUS / "lumajang-kec-sumbersuko-rekomendasi-ot.txt").read_bytes() + b"\n"
    uploader = at.file_uploader(key="uploads_0")
    uploader.upload("rekomendasi-ot-kecamatan-baru.txt", seed, "text/plain")
    uploader.upload("rusak.docx", b"PK\x03\x04 bukan dokumen word", "application/octet-stream")
    bundled = (CORPUS / "setda-bagian-organisasi-sop.txt").read_bytes()
    uploader.upload(
        "salinan-sama.txt", bundled, "text/plain"
    )  # the same content: the same SOPs, not new ones
    at.run()
    assert not at.exception
    assert any(
        plain("rekomendasi-ot-kecamatan-baru.txt") + ": 1 SOP terbaca" in s.value
        for s in at.success
    )
    assert any(e.value.startswith(plain("rusak.docx") + ": ") for e in at.error)
    assert len(at.dataframe[0].value) == 43  # the good file loaded, the bad one did not stop it
    # Restart: the upload is kept in the data folder.
    again = _app()
    assert len(again.dataframe[0].value) == 43


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("lama.doc", "Berkas Word format lama (.doc) tidak didukung"),
        ("lama.xls", "Berkas Excel format lama (.xls) tidak didukung"),
    ],
)
def test_old_office_files_are_accepted_and_explained_in_indonesian(data_dir, name, message):
    """The uploader takes .doc/.xls (the browser would refuse them in English) so
    that the reader's own message says what to do."""
    at = _app()
    uploader = at.file_uploader(key="uploads_0")
    assert {".doc", ".xls"} <= set(uploader.proto.type)
    uploader.upload(name, (ROOT / "tests" / "data" / name).read_bytes(), "application/msword")
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(e.startswith(plain(name) + ": " + plain(message)) for e in errors), errors
    assert [t.value for t in at.toast] == ["1 berkas tidak dapat dibaca; lihat pesannya."]
    assert len(at.dataframe[0].value) == 42  # nothing else changed


def test_korpus_says_what_to_do_next(data_dir):
    at = _app()
    advice = next(m.value for m in at.markdown if m.value.startswith("**Langkah berikutnya:**"))
    assert "Pencocokan" in advice
    low = [s for s in load_corpus() if s.confidence <= 0.6]
    assert 0 < len(low) < 42  # the OCR'd book reads worse than the others
    assert f"periksa {len(low)} SOP dengan keyakinan 0,6 atau kurang" in advice


def test_a_document_no_reader_can_read_is_read_by_hand_and_kept(data_dir):
    """Manual rescue: the document's text beside an empty SOP form; saved as a correction."""
    minutes = (
        b"Notulen rapat koordinasi kantor kelurahan.\n"
        b"Rapat membahas jadwal piket dan kebersihan halaman kantor.\n"
    )
    at = _app()
    at.file_uploader(key="uploads_0").upload("notulen.txt", minutes, "text/plain")
    at.run()
    assert any(e.value.startswith(plain("notulen.txt") + ": ") for e in at.error)
    at.button(key=f"manual_{hashlib.sha256(minutes).hexdigest()}").click().run()
    assert not at.exception
    key = f"{hashlib.sha256(minutes).hexdigest()[:12]}#0"
    shown = at.text_area(key=f"manual_text_{hashlib.sha256(minutes).hexdigest()}").value
    assert "jadwal piket" in shown  # the document's own text, beside the form
    at.text_input(key=f"id_{key}_title").input("Piket Kebersihan Kantor")
    at.text_input(key=f"id_{key}_office").input("Kelurahan Contoh")
    at.button[[b.label for b in at.button].index("Simpan SOP")].click().run()
    assert not at.exception
    with WorkStore.in_dir(data_dir) as ws:
        saved = ws.latest_sop_correction(key)
        assert saved is not None and saved.sop_dict["title"] == "Piket Kebersihan Kantor"
    restarted = _app()
    table = restarted.dataframe[0].value
    assert len(table) == 43  # the bundled 42 and the one read by hand
    assert "Piket Kebersihan Kantor" in set(table["Judul SOP"])


def test_correct_a_parsed_sop_and_find_it_after_restart(data_dir):
    at = _app()
    at.selectbox(key="korpus_sop").select(0).run()
    sop_key = _key(
        "jombang-kec-jogoroto-buku-sop-ocr.txt", 0
    )  # an OCR parse: the usual one to correct
    at.text_input(key=f"id_{sop_key}_title").input("Pengelolaan Surat Masuk (dikoreksi)")
    at.text_input(key=f"id_{sop_key}_number").input("800/01/427.40/2025")
    at.button[[b.label for b in at.button].index("Simpan koreksi")].click().run()
    assert not at.exception
    # feedback: a toast, and the page says who corrected it and when (WIB)
    assert [t.value for t in at.toast] == ["Koreksi disimpan (versi 1)."]
    said = next(i.value for i in at.info if i.value.startswith("Dikoreksi oleh"))
    assert said.endswith(" WIB (versi 1).")
    assert bool(at.dataframe[0].value["Dikoreksi"].iloc[0])
    with WorkStore.in_dir(data_dir) as ws:
        saved = ws.latest_sop_correction(sop_key)
        assert saved is not None and saved.version == 1
        assert saved.sop_dict["title"] == "Pengelolaan Surat Masuk (dikoreksi)"
        assert saved.sop_dict["number"] == "800/01/427.40/2025"
        assert len(saved.sop_dict["steps"]) > 0
    restarted = _app()
    table = restarted.dataframe[0].value
    row = table[table["Judul SOP"] == "Pengelolaan Surat Masuk (dikoreksi)"]
    assert len(row) == 1 and bool(row["Dikoreksi"].iloc[0])


def test_work_saved_under_file_name_keys_is_kept(data_dir):
    """A data folder from before keys came from the content: the correction saved
    under "<file>#<index>" still shows, and is now filed under the content key."""
    old_key, new_key = (
        "jombang-kec-jogoroto-buku-sop-ocr.txt#0",
        _key("jombang-kec-jogoroto-buku-sop-ocr.txt", 0),
    )
    with WorkStore.in_dir(data_dir) as ws:
        parsed = next(s for s in load_corpus() if s.key == new_key).to_dict()
        parsed.pop("document_sha256")  # as saved then
        parsed["title"] = "Pengelolaan Surat Masuk (koreksi lama)"
        ws.save_sop_correction(old_key, parsed, "ani")
    restarted = _app()
    table = restarted.dataframe[0].value
    row = table[table["Judul SOP"] == "Pengelolaan Surat Masuk (koreksi lama)"]
    assert len(row) == 1 and bool(row["Dikoreksi"].iloc[0])
    with WorkStore.in_dir(data_dir) as ws:
        assert set(ws.latest_sop_corrections()) == {new_key}


def _groups_shown(at: AppTest) -> int:
    """The number of groups Pencocokan lists (its heading says it; one line per group)."""
    heading = next(h.value for h in at.subheader if h.value.endswith("kelompok prosedur"))
    return int(heading.split()[0])


def _group_list(at: AppTest) -> list[str]:
    """The group list's entries as written on Pencocokan (title line, then the members)."""
    return [
        m.value
        for m in at.markdown
        if m.value.startswith(("**", ":green-background[")) and "\n- " in m.value
    ]


@pytest.mark.slow
def test_pencocokan_confirm_a_match_and_restart(data_dir):
    at = _app("app_pages/pencocokan.py")
    pairs = at.dataframe[0].value
    # every pair says why; a title reason either measures the likeness or, for a
    # pair judged not equivalent, says the titles are alike but not the same
    assert len(pairs) > 0 and pairs["Alasan"].str.contains("kemiripan judul|judul mirip").all()
    assert list(pairs.columns)[0] == "Keputusan" and set(pairs["Keputusan"]) == {"belum"}
    groups = _group_list(at)
    assert len(groups) == _groups_shown(at)
    # every member of every group is written in full: office and title
    assert "Pensiun" in " ".join(groups)
    assert all(g.count("\n- ") >= 2 for g in groups)
    at.selectbox(key="match_pick").select(0).run()
    picked = at.selectbox(key="match_pick").format_func(0)
    at.button(key="match_confirm").click().run()
    assert not at.exception
    # feedback: a toast naming the pair, the decision in the table's first column,
    # the group it touched marked in the list
    assert [t.value for t in at.toast] == [f"Pasangan dikonfirmasi setara: {plain(picked)}."]
    assert at.dataframe[0].value["Keputusan"].iloc[0] == "dikonfirmasi"
    assert sum(g.startswith(":green-background[") for g in _group_list(at)) == 1
    assert any(c.value.startswith("Keputusan: dikonfirmasi oleh") for c in at.caption)
    assert any(c.value.endswith(" WIB.") for c in at.caption)
    with WorkStore.in_dir(data_dir) as ws:
        decisions = ws.match_decisions()
    assert [d.decision for d in decisions.values()] == ["confirmed"]
    restarted = _app("app_pages/pencocokan.py")
    assert "dikonfirmasi" in set(restarted.dataframe[0].value["Keputusan"])
    restarted.button(key="match_reject").click().run()
    assert [t.value for t in restarted.toast][0].startswith("Pasangan ditolak: ")
    assert restarted.dataframe[0].value["Keputusan"].iloc[0] == "ditolak"


@pytest.mark.slow
def test_move_an_sop_out_of_its_group(data_dir):
    at = _app("app_pages/pencocokan.py")
    groups_before = _groups_shown(at)
    picker = at.selectbox(key="move_sop")
    label = "Sekretariat Daerah (Bagian Organisasi): Surat Keluar"
    picker.select_index(picker.options.index(label)).run()
    at.selectbox(key="move_target").select("tanpa-kelompok").run()
    at.button(key="move_go").click().run()
    assert not at.exception
    assert _groups_shown(at) == groups_before - 1
    assert [t.value for t in at.toast] == [
        f"{plain(label)} dipindahkan: {plain('— keluarkan dari kelompok —')}."
    ]
    with WorkStore.in_dir(data_dir) as ws:
        overrides = ws.group_overrides()
    assert list(overrides.values()) == ["tanpa-kelompok"]
    assert next(iter(overrides)).startswith(
        _key("setda-bagian-organisasi-sop.txt", 0).split("#")[0] + "#"
    )


@pytest.mark.slow
def test_bandingkan_shows_aligned_steps_and_charts(data_dir):
    at = _app("app_pages/bandingkan.py")
    table = at.dataframe[0].value
    assert "Baris" in table.columns and any(c.endswith("· Waktu") for c in table.columns)
    assert (table.astype(str) == "— tidak ada —").any().any()
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 2


@pytest.mark.slow
def test_bandingkan_puts_two_of_three_offices_side_by_side_and_lists_every_finding(data_dir):
    at = _app("app_pages/bandingkan.py")
    group = at.selectbox(key="group_pick")
    offices = group.format_func(group.value).split(" — ", 1)[1].split(", ")
    assert len(offices) == 3  # the bundled corpus's first group: Laporan Kinerja

    def shown(table) -> list[str]:
        return list(dict.fromkeys(c.split(" · ")[0] for c in table.columns if " · " in c))

    assert shown(at.dataframe[0].value) == offices[:2]
    right = next(s for s in at.selectbox if s.label == "Kantor kanan")
    right.select_index(right.options.index(offices[2])).run()
    assert not at.exception
    assert shown(at.dataframe[0].value) == [offices[0], offices[2]]
    # every finding in full, one wrapped line each (no table cell that cuts it)
    count = int(
        next(h.value for h in at.subheader if h.value.startswith("Temuan (")).split("(")[1][:-1]
    )
    lines = [
        m.value
        for m in at.markdown
        if m.value.startswith(("**Tinggi**", "**Sedang**", "**Rendah**"))
    ]
    assert count > 0 and len(lines) == count
    assert all(not line.endswith("…") for line in lines)


@pytest.mark.slow
def test_bandingkan_marks_a_step_done_in_another_order(data_dir, monkeypatch):
    import app_pages._state as state
    from sopdata.matching.alignment import AlignedPair
    from sopdata.matching.compare import merge_alignments

    def moved(sops, encoder=None, **kwargs):
        # the first step of every other office stands against the pivot's second step
        others = {m: [AlignedPair(1, 0, 0.9, "urutan berbeda")] for m in range(1, len(sops))}
        return merge_alignments(sops, 0, others)

    monkeypatch.setattr(state, "compare_group", moved)
    state._comparison.clear()
    try:
        at = _app("app_pages/bandingkan.py")
        table = at.dataframe[0].value.astype(str)
        marked = table.apply(lambda col: col.str.contains("urutan berbeda: langkah 1 di")).any()
        assert marked.any(), table.to_dict()
        assert len(table) >= 2
    finally:
        state._comparison.clear()


def _downloaded(at: AppTest, storages: list[MemoryMediaFileStorage], index: int = 0) -> bytes:
    url = at.get("download_button")[index].proto.url
    name = url.rsplit("/", 1)[1]
    for storage in reversed(storages):
        try:
            return storage.get_file(name).content  # type: ignore[return-value]
        except Exception:
            continue
    raise AssertionError(f"download {url} not found")


@pytest.mark.slow
def test_harmonisasi_edit_a_step_save_download_and_restart(data_dir, monkeypatch):
    storages: list[MemoryMediaFileStorage] = []

    class Recording(MemoryMediaFileStorage):
        def __init__(self, endpoint: str) -> None:
            super().__init__(endpoint)
            storages.append(self)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)
    at = _app("app_pages/harmonisasi.py")
    gid = at.selectbox(key="harm_group").value
    editor_key = f"h_steps_{gid}"
    at.session_state[editor_key] = {
        "edited_rows": {
            0: {
                "Kegiatan": "Menyampaikan konsep surat ke Pengadministrasi Umum",
                "Waktu": "7 menit",
            }
        },
        "added_rows": [],
        "deleted_rows": [],
    }
    at.text_input(key=f"h_note_{gid}").input("rapat 1")
    at.button[[b.label for b in at.button].index("Simpan rancangan")].click().run()
    assert not at.exception, [e.value for e in at.exception]
    with WorkStore.in_dir(data_dir) as ws:
        draft = ws.latest_draft(gid)
    assert draft is not None and draft.version == 1 and draft.note == "rapat 1"
    first = draft.sop_dict["steps"][0]
    assert first["activity"] == "Menyampaikan konsep surat ke Pengadministrasi Umum"
    assert first["duration_raw"] == "7 menit" and first["duration_minutes"] == 7

    restarted = _app("app_pages/harmonisasi.py")
    assert any("versi 1" in i.value for i in restarted.info)
    workbook = load_workbook(io.BytesIO(_downloaded(restarted, storages)))
    assert workbook.sheetnames[:2] == ["Identitas", "Prosedur"]
    activities = [row[1] for row in workbook["Prosedur"].iter_rows(min_row=7, values_only=True)]
    assert "Menyampaikan konsep surat ke Pengadministrasi Umum" in activities
    labels = [b.proto.label for b in restarted.get("download_button")]
    assert labels[1] == "Unduh Word (.docx)"
    document = Document(io.BytesIO(_downloaded(restarted, storages, 1)))
    assert any(
        "Menyampaikan konsep surat ke Pengadministrasi Umum" in c.text
        for row in document.tables[2].rows
        for c in row.cells
    )
    assert "Bagan alir" in [e.label for e in restarted.expander]
    chart = next(e for e in restarted.expander if e.label == "Bagan alir")
    assert [type(c).__name__ for c in chart.children.values()] == ["Image"]


def test_pair_key_is_order_free():
    assert pair_key("b#1", "a#0") == pair_key("a#0", "b#1")


# --- the reviewer's working day reaches every total ---------------------------------------------


def _one_day_sop(title: str) -> SOP:
    return SOP(
        source_file="uji.txt",
        title=title,
        office="Kecamatan Uji",
        steps=[
            Step(
                no="1",
                activity="Memproses berkas",
                actors=["Camat"],
                marks={"Camat": "□"},
                duration=parse_duration("1 hari"),
            )
        ],
    )


def _at_eight_hours(at: AppTest, data_dir) -> AppTest:
    """The sidebar's "Jam kerja per hari" set to 8, as a reviewer does."""
    at.number_input(key="setting_hours_per_working_day").set_value(8.0).run()
    assert not at.exception, [e.value for e in at.exception]
    with WorkStore.in_dir(data_dir) as ws:
        assert ws.get_setting("hours_per_working_day") == 8
    return at


def test_korpus_totals_use_the_sidebar_working_day(data_dir):
    key = "jombang-kec-jogoroto-buku-sop-ocr.txt#7"
    with WorkStore.in_dir(data_dir) as ws:  # a correction saved at the standard 7.5 h day
        ws.save_sop_correction(key, _one_day_sop("Uji Jam Kerja").to_dict(), "uji")
    at = _at_eight_hours(_app(), data_dir)
    table = at.dataframe[0].value
    row = table[table["Judul SOP"] == "Uji Jam Kerja"]
    assert list(row["Total waktu"]) == ["1 hari"]  # 480 minutes, not "1 hari 30 menit"
    at.selectbox(key="korpus_sop").select(list(table["Judul SOP"]).index("Uji Jam Kerja")).run()
    assert not at.exception
    assert "Total: 1 hari" in [c.value for c in at.caption]
    minutes = next(d.value for d in at.dataframe if "Waktu (menit)" in d.value.columns)
    assert list(minutes["Waktu (menit)"]) == [480]


def test_harmonisasi_total_uses_the_sidebar_working_day(data_dir):
    with WorkStore.in_dir(data_dir) as ws:
        ws.set_setting("encoder", "tfidf")  # a fast model: this test is about Waktu
    at = _app("app_pages/harmonisasi.py")
    gid = at.selectbox(key="harm_group").value
    with WorkStore.in_dir(data_dir) as ws:
        ws.save_draft(gid, _one_day_sop("Rancangan Uji").to_dict(), "uji")
    at = _at_eight_hours(at, data_dir)
    assert any(i.value.startswith("Rancangan versi 1") for i in at.info)
    assert "1 langkah · total waktu 1 hari" in [c.value for c in at.caption]


# --- failures of the model or the store are messages, not tracebacks -----------------------------


def test_an_encoder_that_cannot_load_is_a_message(data_dir, monkeypatch):
    import app_pages._state

    def broken(spec: str, cache_dir=None):
        raise EncoderError("Model embedding tidak dapat dimuat: berkas model rusak (uji).")

    monkeypatch.setattr(app_pages._state, "get_encoder", broken)
    with WorkStore.in_dir(data_dir) as ws:
        ws.set_setting("encoder", "st:/model-uji-rusak")  # a spec no earlier test has cached
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.switch_page("app_pages/pencocokan.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [
        "Model embedding tidak dapat dimuat: berkas model rusak (uji)."
    ]


def test_a_busy_store_is_a_message(data_dir, monkeypatch):
    def busy(self, *args, **kwargs):
        raise StoreError(
            "Basis data kerja sedang dipakai proses lain terlalu lama. Tunggu sebentar "
            "lalu simpan lagi; perubahan Anda belum tersimpan.",
            "database is locked",
        )

    monkeypatch.setattr(WorkStore, "latest_sop_correction", busy)
    at = AppTest.from_file(APP, default_timeout=300).switch_page("app_pages/korpus.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(e.value.startswith("Basis data kerja sedang dipakai") for e in at.error)


def test_the_model_is_prepared_in_the_background(data_dir, monkeypatch, tmp_path):
    """First start: app.py starts the preparation once; Korpus does not wait for it,
    Pencocokan waits (with its progress message) and then asks for the encoder."""
    import threading

    import app_pages._state
    from embeddings import prepare

    started, release = threading.Event(), threading.Event()
    calls: list[str | None] = []

    def fake_prepare(root, backend=None, stage=None, **_):
        calls.append(backend)
        started.set()
        stage("Mengekspor model ke ONNX …", 0.3)
        release.wait(10)
        return prepare.Prepared("onnx", root, "int8", 1, 0.1, True, 0.995)

    def broken(spec: str, cache_dir=None):
        raise EncoderError("Model embedding tidak dapat dimuat: uji persiapan.")

    monkeypatch.setenv("SOP_HARMONI_BACKGROUND_PREPARE", "1")
    monkeypatch.setenv("SOP_HARMONI_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(prepare, "prepare_model", fake_prepare)
    monkeypatch.setattr(prepare, "_preparations", {})
    monkeypatch.setattr(app_pages._state, "get_encoder", broken)
    with WorkStore.in_dir(data_dir) as ws:
        ws.set_setting("encoder", "e5:onnx")  # a spec no earlier test has cached
    app_pages._state._preparation.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=300).run()
        assert not at.exception, [e.value for e in at.exception]
        assert started.wait(10) and calls == ["onnx"]
        assert not release.is_set()  # the home page was shown while the model was being prepared
        assert any("sedang disiapkan" in i.value for i in at.info)
        # ... with the preparation's progress in the sidebar, in Indonesian
        lines = [p.proto.text for p in at.sidebar.get("progress")]
        assert lines == [
            "Menyiapkan model bahasa (sekali saja) … Mengekspor model ke ONNX … (30%)"
        ], lines
        threading.Timer(1.0, release.set).start()
        at.switch_page("app_pages/pencocokan.py").run()
        assert not at.exception, [e.value for e in at.exception]
        assert calls == ["onnx"]  # prepared once
        assert [e.value for e in at.error] == ["Model embedding tidak dapat dimuat: uji persiapan."]
    finally:
        release.set()
        app_pages._state._preparation.clear()


# --- the consensus draft: optional steps kept or dropped -----------------------------------------


def test_harmonisasi_optional_steps_are_kept_dropped_and_saved(data_dir):
    with WorkStore.in_dir(data_dir) as ws:
        ws.set_setting("encoder", "tfidf")  # a fast model: this test is about the draft
    at = _app("app_pages/harmonisasi.py")
    assert not at.exception, [e.value for e in at.exception]
    groups = at.selectbox(key="harm_group").options
    for k in range(len(groups)):
        at.selectbox(key="harm_group").select_index(k).run()
        if [c for c in at.checkbox if c.key.startswith("opt_")]:
            break
    gid = at.selectbox(key="harm_group").value
    boxes = [c for c in at.checkbox if c.key.startswith("opt_")]
    assert boxes and not any(c.value for c in boxes)  # optional steps start dropped

    def steps_shown(app: AppTest) -> int:
        caption = next(c.value for c in app.caption if " langkah · total waktu" in c.value)
        return int(caption.split()[0])

    before = steps_shown(at)
    boxes[0].check().run()
    assert not at.exception, [e.value for e in at.exception]
    assert steps_shown(at) == before + 1
    row = int(boxes[0].key.rsplit("_", 1)[1])
    at.button[[b.label for b in at.button].index("Simpan rancangan")].click().run()
    assert not at.exception, [e.value for e in at.exception]
    with WorkStore.in_dir(data_dir) as ws:
        saved = ws.latest_draft(gid)
    assert saved is not None and saved.sop_dict["optional_kept"] == [row]
    assert len(saved.sop_dict["steps"]) == before + 1
    # Every kept step has a Pelaksana, the first and last the terminator.
    steps = saved.sop_dict["steps"]
    assert all(s["actors"] for s in steps)
    assert set(steps[0]["marks"].values()) | set(steps[-1]["marks"].values()) <= {"⬭", "◇"}

    restarted = _app("app_pages/harmonisasi.py")
    restarted.selectbox(key="harm_group").set_value(gid).run()
    again = {c.key: c.value for c in restarted.checkbox if c.key.startswith("opt_")}
    assert again[boxes[0].key] is True and sum(again.values()) == 1
    assert steps_shown(restarted) == before + 1
    restarted.checkbox(key=boxes[0].key).uncheck().run()
    assert not restarted.exception
    assert steps_shown(restarted) == before


@pytest.mark.slow
def test_bandingkan_takes_a_reviewers_step_link_and_keeps_it(data_dir):
    """The scanned Jogoroto Surat Keluar: its step 2 (reading and initialling the
    draft) is also Bagian Organisasi's step 3 (initialling), which the machine
    leaves apart; the reviewer links them, the table shows it after a restart,
    and "Batalkan" returns to the machine's alignment."""
    at = _app("app_pages/bandingkan.py")
    group = at.selectbox(key="group_pick")
    (pick,) = [i for i, label in enumerate(group.options) if label.startswith("Surat Keluar")]
    assert "Jogoroto" in group.options[pick]
    group.select_index(pick).run()
    assert not at.exception

    def initialling_cell(at: AppTest) -> str:
        table = at.dataframe[0].value.astype(str)
        setda = next(c for c in table.columns if c.endswith("· Langkah") and "Organisasi" in c)
        jogoroto = next(c for c in table.columns if c.endswith("· Langkah") and "Jogoroto" in c)
        (row,) = table.index[table[setda].str.startswith("3. ")]
        return table.loc[row, jogoroto]

    assert not initialling_cell(at).startswith("2. ")
    pivot_step = next(s for s in at.selectbox if s.label.startswith("Langkah Sekretariat"))
    member_step = next(s for s in at.selectbox if s.label.startswith("Langkah Kecamatan"))
    pivot_step.select_index(2)
    member_step.select_index(1)
    next(b for b in at.button if b.label == "Padankan").click().run()
    assert not at.exception
    assert initialling_cell(at).startswith("2. ")
    assert initialling_cell(at).endswith("[dipadankan peninjau]")
    assert any(m.value.startswith("✔ langkah ") for m in at.markdown)

    # saved in the store: a fresh app (a restart) aligns them the same way
    with WorkStore.in_dir(data_dir) as ws:
        (link,) = ws.step_links()
        assert link.linked and {link.step_a, link.step_b} == {"2", "3"}
    again = _app("app_pages/bandingkan.py")
    again.selectbox(key="group_pick").select_index(pick).run()
    assert initialling_cell(again).startswith("2. ")
    next(b for b in again.button if b.label == "Batalkan").click().run()
    assert not again.exception
    assert not initialling_cell(again).startswith("2. ")
