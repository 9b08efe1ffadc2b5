"""Korpus: upload documents, see every SOP as parsed, and correct a wrong parse."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from app_pages._state import (
    UPLOAD_LIMIT_MB,
    document_text_of,
    plain,
    read_upload,
    reviewer,
    save_failed,
    sop_editor,
    store,
    toast_after_rerun,
    view,
    wib,
)
from sopdata.form import SOP_KINDS, SOP_KINDS_SHORT
from sopdata.ingest.loaders import MAX_BYTES
from sopdata.review.store import StaleWriteError, StoreError
from sopdata.review.workspace import manual_sop
from sopdata.text.durations import format_minutes

#: At or below this confidence an SOP's reading is worth checking by hand.
LOW_CONFIDENCE = 0.6
LOW_CONFIDENCE_TEXT = "0,6"

#: What the uploader accepts (old .doc/.xls included: see above).
UPLOAD_TYPES = (
    "txt",
    "html",
    "htm",
    "docx",
    "doc",
    "pdf",
    "xlsx",
    "xls",
    "png",
    "jpg",
    "jpeg",
    "tif",
    "tiff",
)

st.title("Korpus SOP")

with st.expander("Unggah dokumen SOP", expanded=False):
    st.caption(
        f"Teks/HTML (.txt, .html), Word (.docx), PDF (.pdf), Excel (.xlsx), atau pindaian "
        f"(PDF tanpa lapisan teks, gambar .png/.jpg/.tif: dibaca dengan OCR, beberapa detik per halaman); "
        f"maks. {UPLOAD_LIMIT_MB} MB per berkas. Berkas Word/Excel lama (.doc, .xls) perlu disimpan "
        f"ulang sebagai .docx/.xlsx. Dokumen disimpan sehingga pekerjaan dapat dilanjutkan."
    )
    # A new key after each batch empties the uploader: a file read and kept (or
    # refused) is not added again on the next run, and "Hapus" keeps it removed.
    upload_round = st.session_state.setdefault("upload_round", 0)
    # The uploader prints its size limit and types in English ("200MB per file •
    # TXT, …") and Streamlit offers no other wording: the caption above says both
    # in Indonesian, so that line is hidden.
    st.html('<style>[data-testid="stFileUploaderDropzoneInstructions"]{display:none}</style>')
    uploads = st.file_uploader(
        "Berkas SOP",
        accept_multiple_files=True,
        key=f"uploads_{upload_round}",
        # .doc and .xls are accepted so that the reader's own message says what to
        # do with them (the browser would refuse them with an English tooltip).
        type=list(UPLOAD_TYPES),
    )
    if uploads:
        outcomes: list[tuple[bool, str]] = []
        for upload in uploads:
            data = upload.getvalue()
            if len(data) > MAX_BYTES:
                outcomes.append(
                    (
                        False,
                        f"{plain(upload.name)}: berkas terlalu besar (lebih dari {UPLOAD_LIMIT_MB} MB); "
                        "pecah dokumen per bagian.",
                    )
                )
                continue
            # Parsed (in a capped worker, a scan's pages counted on a progress bar)
            # before it is kept; kept with its outcome.
            doc = read_upload(upload.name, hashlib.sha256(data).hexdigest(), data)
            try:
                store().add_document(upload.name, data, reviewer(), parse_error=doc.error or None)
            except StoreError as exc:
                st.error(f"{plain(upload.name)}: {exc.message}")
                st.stop()  # the uploader keeps the files: saving can be tried again
            if doc.error:
                outcomes.append((False, f"{plain(upload.name)}: {plain(doc.error)}"))
            else:
                outcomes.append((True, f"{plain(upload.name)}: {len(doc.sops)} SOP terbaca."))
        st.session_state["upload_round"] = upload_round + 1
        st.session_state["upload_outcomes"] = outcomes
        read = sum(ok for ok, _ in outcomes)
        toast_after_rerun(
            f"{read} dari {len(outcomes)} berkas terbaca."
            if read
            else f"{len(outcomes)} berkas tidak dapat dibaca; lihat pesannya."
        )
        st.rerun()
    for ok, message in st.session_state.pop("upload_outcomes", []):
        (st.success if ok else st.error)(message)

v = view(with_matches=False)
if v.documents:
    with st.expander(f"{len(v.documents)} dokumen unggahan", expanded=False):
        for doc in v.documents:
            cols = st.columns([6, 1])
            status = f"gagal: {plain(doc.error)}" if doc.error else f"{len(doc.sops)} SOP"
            cols[0].markdown(f"{plain(doc.name)} — {status}")  # wraps: long messages stay readable
            if cols[1].button("Hapus", key=f"remove_{doc.sha256}"):
                try:
                    store().remove_document(doc.sha256, reviewer())
                except StoreError as exc:
                    save_failed(exc)
                else:
                    toast_after_rerun(f"Dokumen {plain(doc.name)} dihapus dari korpus.")
                    st.rerun()
            readable_by_hand = (
                doc.error
                # a cap or a crash: its text is not read in the app's process either
                and not doc.error.startswith(("Dokumen terlalu berat", "Pembaca dokumen berhenti"))
                and manual_sop(doc).key not in v.corrected
            )
            if readable_by_hand and cols[0].button("Baca manual", key=f"manual_{doc.sha256}"):
                st.session_state["manual_doc"] = doc.sha256

# A document the readers could not read becomes an SOP by hand: its text on the
# left, an empty SOP form on the right; saved as a correction of that SOP.
manual = next((d for d in v.documents if d.sha256 == st.session_state.get("manual_doc")), None)
if manual is not None and not manual.sops:
    blank = manual_sop(manual)
    st.subheader(f"Baca manual: {plain(manual.name)}")
    st.caption(
        "Dokumen ini tidak terbaca otomatis. Salin isinya dari teks di kiri ke isian SOP di "
        "kanan, lalu simpan: SOP ini kemudian dipakai seperti SOP lain (pencocokan, "
        "perbandingan, harmonisasi)."
    )
    left, right = st.columns([2, 3])
    text = document_text_of(manual.sha256, manual.name)
    left.text_area(
        "Teks dokumen",
        text or "(tidak ada teks yang dapat diambil: dokumen pindaian atau rusak)",
        height=640,
        disabled=True,
        key=f"manual_text_{manual.sha256}",
    )
    with right.form(f"manual_form_{manual.sha256}"):
        filled = sop_editor(blank, f"id_{blank.key}", f"steps_{blank.key}", v.settings.durations)
        manual_saved = st.form_submit_button("Simpan SOP", type="primary")
    if manual_saved:
        if not filled.title.strip():
            st.error("Isi judul SOP terlebih dahulu.")
        else:
            try:
                store().save_sop_correction(
                    blank.key, filled.to_dict(), reviewer(), note="dibaca manual", base_version=0
                )
            except StaleWriteError:
                st.error("SOP dokumen ini sudah disimpan di tab lain. Muat ulang halaman.")
            except StoreError as exc:  # the form keeps what was typed
                save_failed(exc)
            else:
                st.session_state.pop("manual_doc", None)
                toast_after_rerun("SOP dari dokumen ini disimpan.")
                st.rerun()

sops = v.sops
files = {s.source_file for s in sops}
st.caption(f"{len(sops)} SOP dari {len(files)} dokumen · {len(v.corrected)} dikoreksi peninjau.")
doubtful = sum(1 for s in sops if s.confidence <= LOW_CONFIDENCE)
with st.container(border=True):
    st.markdown(
        "**Langkah berikutnya:** "
        + (
            f"periksa {doubtful} SOP dengan keyakinan {LOW_CONFIDENCE_TEXT} atau kurang (buka "
            "di bawah, bandingkan dengan teks dokumen, koreksi isian yang salah, lalu simpan), "
            "kemudian "
            if doubtful
            else "periksa sekilas bacaan SOP (klik judul kolom Keyakinan untuk mengurutkan), "
            "kemudian "
        )
        + "buka **Pencocokan** untuk memeriksa SOP yang setara antarkantor."
    )
    st.page_link("app_pages/pencocokan.py", label="Ke Pencocokan", icon=":material/join_inner:")

table = pd.DataFrame(
    {
        "Kantor": [s.office for s in sops],
        "Judul SOP": [s.title for s in sops],
        "Jenis": [SOP_KINDS_SHORT.get(s.kind, s.kind) for s in sops],
        "Langkah": [len(s.steps) for s in sops],
        "Total waktu": [
            format_minutes(s.total_minutes, s.time_settings)
            if s.total_minutes
            else (s.completion_time or "-")
            for s in sops
        ],
        "Keyakinan": [s.confidence for s in sops],
        "Peringatan": [len(s.warnings) for s in sops],
        "Dikoreksi": [s.key in v.corrected for s in sops],
        "Dokumen": [s.source_file for s in sops],
    }
)
# Every column beside the sidebar at 1366 px (about 900 px): narrow columns,
# rows of two lines for long offices, titles and file names.
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    row_height=66,  # over 4rem (64 px): the grid wraps text only then
    column_config={
        "Kantor": st.column_config.TextColumn(width=140),
        "Judul SOP": st.column_config.TextColumn(width=190),
        "Jenis": st.column_config.TextColumn(
            width=85, help="; ".join(f"{SOP_KINDS_SHORT[k]}: {v}" for k, v in SOP_KINDS.items())
        ),
        "Langkah": st.column_config.NumberColumn(width=65),
        "Total waktu": st.column_config.TextColumn(width=85),
        "Dokumen": st.column_config.TextColumn(width=105),
        # blue, not the theme's red: a bar is a measure, not an alarm
        "Keyakinan": st.column_config.ProgressColumn(
            min_value=0.0,
            max_value=1.0,
            format="%.2f",
            width=80,
            color="blue",
            help="Seberapa yakin pembaca dokumen atas isian SOP ini (0–1).",
        ),
        "Peringatan": st.column_config.NumberColumn(width=75),
        "Dikoreksi": st.column_config.CheckboxColumn(width=70),
    },
)

labels = [f"{s.label} — {s.title}" for s in sops]
choice = st.selectbox(
    "Buka SOP", options=range(len(sops)), format_func=lambda i: labels[i], key="korpus_sop"
)
sop = sops[choice]

st.subheader(plain(sop.title) or "(tanpa judul)")
if sop.warnings:
    st.warning("Catatan pembacaan:\n\n" + "\n".join(f"- {plain(w)}" for w in sop.warnings))

latest = store().latest_sop_correction(sop.key)
if latest is not None:
    st.info(
        f"Dikoreksi oleh {plain(latest.author or 'peninjau')} pada {wib(latest.created_at)} "
        f"(versi {latest.version})."
    )

if st.session_state.pop(f"saved_{sop.key}", False):
    st.session_state[f"note_{sop.key}"] = (
        ""  # a saved note is not offered again for the next correction
    )

with st.expander("Teks dokumen (untuk memeriksa atau melengkapi isian)"):
    st.text_area(
        "Teks dokumen",
        document_text_of(sop.document_sha256, sop.source_file) or "(tidak ada teks)",
        height=400,
        disabled=True,
        key=f"doc_text_{sop.key}",
        label_visibility="collapsed",
    )

with st.form(f"edit_{sop.key}"):
    fixed = sop_editor(sop, f"id_{sop.key}", f"steps_{sop.key}", v.settings.durations)
    note = st.text_input("Catatan koreksi (opsional)", key=f"note_{sop.key}")
    saved = st.form_submit_button("Simpan koreksi", type="primary")

if saved:
    try:
        version = store().save_sop_correction(
            sop.key,
            fixed.to_dict(),
            reviewer(),
            note=note,
            base_version=latest.version if latest else 0,
        )
    except StaleWriteError:
        st.error(
            "SOP ini baru saja dikoreksi di tab atau oleh peninjau lain. Muat ulang halaman untuk melihat "
            "versi terbaru; isian Anda belum disimpan."
        )
    except StoreError as exc:  # disk full, store locked: the form keeps what was typed
        save_failed(exc)
    else:
        st.session_state[f"saved_{sop.key}"] = True
        toast_after_rerun(f"Koreksi disimpan (versi {version}).")
        st.rerun()

minutes = pd.DataFrame(
    {"No": [s.no for s in sop.steps], "Waktu (menit)": [s.duration.minutes for s in sop.steps]}
)
with st.expander("Waktu terbaca (menit)"):
    st.dataframe(minutes, hide_index=True)
    st.caption(
        f"Total: {format_minutes(sop.total_minutes, sop.time_settings) if sop.total_minutes else '-'}"
    )
