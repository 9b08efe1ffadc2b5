"""Ringkasan, the home page: the corpus in numbers, which office has which procedure,
where each group stands (status saved in the store), what to do next, the readers'
problems, and the meeting pack (workbook and berita acara)."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from app_pages._state import (
    coverage_chart_of,
    findings_of,
    meeting_pack_of,
    model_preparation,
    plain,
    reviewer,
    settings,
    store,
    view,
    view_or_encoder_error,
)
from sopdata.coverage import coverage, coverage_frame, office_columns, short_office
from sopdata.export.meeting import meeting_group
from sopdata.harmonise import harmonise
from sopdata.review.overview import ReaderProblem, corpus_counts, next_steps, reader_problems
from sopdata.review.store import (
    AGREED_STATUSES,
    GROUP_STATUS_LABEL,
    GROUP_STATUSES,
    GroupStatus,
    StaleWriteError,
    StoreError,
)
from sopdata.text.times import format_wib

PAGE_FILES = {
    "korpus": ("app_pages/korpus.py", ":material/library_books:"),
    "pencocokan": ("app_pages/pencocokan.py", ":material/join_inner:"),
    "bandingkan": ("app_pages/bandingkan.py", ":material/compare_arrows:"),
    "harmonisasi": ("app_pages/harmonisasi.py", ":material/edit_note:"),
    "ringkasan": ("app_pages/ringkasan.py", ":material/dashboard:"),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

st.title("Ringkasan")
spec = settings().encoder
preparing = model_preparation(spec)  # None once the model is ready
encoder_error = None
if preparing is None:
    v, encoder_error = view_or_encoder_error()
else:
    v = view(with_matches=False)  # fast: no matching until the model is ready
groups = v.groups if preparing is None and encoder_error is None else None

counts = corpus_counts(v.sops, v.documents)
problems = reader_problems(v.sops, v.documents, v.corrected)
statuses = store().group_statuses()
drafts = store().latest_drafts()

c1, c2, c3, c4 = st.columns(4)
c1.metric("Dokumen", counts.documents)
c2.metric("SOP", counts.sops)
c3.metric("Kantor", counts.offices)
c4.metric("Kelompok prosedur", "…" if groups is None else len(groups))

# --- next steps -----------------------------------------------------------------------
st.subheader("Langkah berikutnya")
todo = next_steps(
    counts, problems, groups, {g: r.status for g, r in statuses.items()}, drafts.keys()
)
if not todo:
    st.caption("Tidak ada yang mendesak.")
for step in todo:
    path, icon = PAGE_FILES[step.page]
    if step.page == "ringkasan":
        st.markdown(f"- {step.text}")
    else:
        st.page_link(path, label=step.text, icon=icon)

if encoder_error:
    st.error(encoder_error)
    st.caption("Kelompok prosedur, cakupan dan status memerlukan model kemiripan.")

# --- model not ready: say so, and come back when it is --------------------------------
if preparing is not None:
    st.info(
        "Model kemiripan sedang disiapkan (sekali saja). Kelompok prosedur, cakupan dan "
        "status muncul di sini setelah model siap; halaman Korpus dapat dipakai sementara."
    )

    prep = preparing

    @st.fragment(run_every=2)
    def _preparation_progress() -> None:
        if prep.done:
            st.rerun(scope="app")
        st.progress(prep.fraction, text=prep.message)

    _preparation_progress()

# --- coverage ---------------------------------------------------------------------------
if groups is not None:
    st.subheader("Cakupan prosedur per kantor")
    if not groups:
        st.info("Belum ada kelompok prosedur. Konfirmasi pasangan SOP di halaman Pencocokan.")
    if v.sops:
        cov = coverage(groups, v.sops)
        st.caption(
            "Setiap prosedur satu baris: kelompok SOP setara lebih dulu, lalu SOP yang hanya "
            "dimiliki satu kantor. ✓ kantor memiliki SOP ini · — tidak memiliki · ✓✓ lebih "
            "dari satu versi (dua SOP satu kantor dalam satu kelompok)."
        )
        headers = office_columns(cov)
        as_table, as_chart = st.tabs(["Tabel", "Peta"])
        as_table.dataframe(
            coverage_frame(cov),
            hide_index=True,
            width="stretch",
            column_config={
                "Prosedur": st.column_config.TextColumn(width=220, pinned=True),
                "Kantor tanpa SOP": st.column_config.NumberColumn(width=116),
                **{
                    # as wide as the abbreviated header: five offices fit at 1366 px
                    header: st.column_config.TextColumn(
                        width=max(60, round(6 * len(header)) + 18), help=plain(office)
                    )
                    for office, header in headers.items()
                },
            },
        )
        coverage_key = "|".join(
            [
                ",".join(cov.offices),
                *(f"{r.group_id}:{r.title}:{[c.titles for c in r.cells]}" for r in cov.rows),
            ]
        )
        as_chart.altair_chart(coverage_chart_of(coverage_key, cov), width="stretch")

# --- group status -----------------------------------------------------------------------
STATUS_ERROR = "ringkasan_status_error"


def _save_status(gid: str, base_version: int) -> None:
    """Saved before the page is drawn again, so the table below shows it at once.
    ``base_version``: the status version the reviewer saw (0: none)."""
    status: GroupStatus = st.session_state[f"status_pick_{gid}"]
    note = st.session_state.get(f"status_note_{gid}", "")
    try:
        store().set_group_status(
            gid, status, reviewer(), note=note.strip(), base_version=base_version
        )
    except StaleWriteError as exc:
        st.session_state[STATUS_ERROR] = (
            f"Status kelompok ini baru saja diubah di tempat lain (versi {exc.latest_version}); "
            "tabel di atas kini menunjukkan status terbaru. Pilihan Anda belum disimpan: "
            "simpan lagi bila tetap ingin mengubahnya."
        )
    except StoreError as exc:
        st.session_state[STATUS_ERROR] = exc.message  # the choice stays in its widget
    else:
        st.session_state.pop(STATUS_ERROR, None)
        st.session_state[f"status_note_{gid}"] = ""
        chosen = st.session_state.get("meeting_groups")
        if status in AGREED_STATUSES and chosen is not None and gid not in chosen:
            st.session_state["meeting_groups"] = [*chosen, gid]  # agreed: on the meeting's list
        st.toast(f"Status disimpan: {GROUP_STATUS_LABEL[status]}.")


if groups:
    st.subheader("Status kelompok")
    st.dataframe(
        pd.DataFrame(
            {
                "Kelompok": [g.title for g in groups],
                "Status": [
                    statuses[g.id].label if g.id in statuses else "Belum ditinjau" for g in groups
                ],
                "Oleh": [statuses[g.id].author if g.id in statuses else "-" for g in groups],
                "Waktu (WIB)": [
                    format_wib(statuses[g.id].saved_at) if g.id in statuses else "-" for g in groups
                ],
                "Rancangan": [
                    f"versi {drafts[g.id].version}" if g.id in drafts else "-" for g in groups
                ],
                "Kantor": [", ".join(short_office(o) for o in g.offices) for g in groups],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "Kelompok": st.column_config.TextColumn(width=250, pinned=True),
            "Status": st.column_config.TextColumn(width=105),
            "Oleh": st.column_config.TextColumn(width=95),
            "Waktu (WIB)": st.column_config.TextColumn(width=140),
            "Rancangan": st.column_config.TextColumn(width=80),
            "Kantor": st.column_config.TextColumn(
                width=235,
                help="Nama kantor disingkat (Kec. = Kecamatan, Setda = Sekretariat Daerah)",
            ),
        },
    )
    titles = {g.id: f"{g.title} — {', '.join(g.offices)}" for g in groups}
    with st.container(border=True):
        st.markdown("**Ubah status kelompok**")
        gid = st.selectbox(
            "Kelompok",
            options=list(titles),
            format_func=titles.__getitem__,
            key="status_group",
        )
        current = statuses.get(gid)
        left, right = st.columns([1, 2])
        left.selectbox(
            "Status",
            options=list(GROUP_STATUSES),
            index=GROUP_STATUSES.index(current.status) if current else 0,
            format_func=GROUP_STATUS_LABEL.__getitem__,
            key=f"status_pick_{gid}",
        )
        right.text_input("Catatan (opsional)", key=f"status_note_{gid}")
        st.button(
            "Simpan status",
            key="status_save",
            type="primary",
            on_click=_save_status,
            args=(gid, current.version if current else 0),
        )
        if message := st.session_state.get(STATUS_ERROR):
            st.error(message)
        history = store().group_status_history(gid)
        if history:
            st.caption(
                "Riwayat: "
                + " → ".join(
                    f"{GROUP_STATUS_LABEL[h.status]} ({plain(h.author or 'peninjau')}, "
                    f"{format_wib(h.saved_at)})" + (f" — {plain(h.note)}" if h.note else "")
                    for h in history
                )
            )

# --- readers' problems ------------------------------------------------------------------
st.subheader("Masalah pembacaan dokumen")
if not problems:
    st.success("Semua dokumen terbaca tanpa catatan.")
else:
    kinds = pd.Series([p.label for p in problems]).value_counts()
    st.caption(" · ".join(f"{plain(k)}: {n}" for k, n in kinds.items()))
    st.dataframe(
        pd.DataFrame(
            {
                "Masalah": [p.label for p in problems],
                "Kantor": [p.office or "-" for p in problems],
                "SOP": [p.title or "-" for p in problems],
                "Keyakinan": [p.confidence for p in problems],
                "Dokumen": [p.document for p in problems],
            }
        ),
        hide_index=True,
        width="stretch",
        height=min(420, 38 + 35 * len(problems)),
        column_config={
            "Masalah": st.column_config.TextColumn(width=130, pinned=True),
            "Kantor": st.column_config.TextColumn(width=170),
            "SOP": st.column_config.TextColumn(width=250),
            "Keyakinan": st.column_config.NumberColumn(format="%.2f", width=80),
            "Dokumen": st.column_config.TextColumn(width=270),
        },
    )
    # the details in full, wrapped: one expander per document
    st.markdown("**Rincian per dokumen**")
    by_document: dict[str, list[ReaderProblem]] = {}
    for p in problems:
        by_document.setdefault(p.document, []).append(p)
    for document, listed in by_document.items():
        offices = ", ".join(dict.fromkeys(p.office for p in listed if p.office))
        with st.expander(
            f"{plain(document)}"
            + (f" — {plain(offices)}" if offices else "")
            + f" · {len(listed)} masalah"
        ):
            st.markdown(
                "\n".join(
                    f"- **{plain(p.title or p.document)}** — {plain(p.label)}"
                    + (f" ({p.confidence:.2f})" if p.confidence is not None else "")
                    + (f": {plain(p.detail)}" if p.detail else "")
                    for p in listed
                )
            )
    st.page_link(
        "app_pages/korpus.py",
        label="Perbaiki di halaman Korpus (koreksi SOP atau baca dokumen secara manual)",
        icon=":material/library_books:",
    )

# --- meeting pack -----------------------------------------------------------------------
if groups:
    st.subheader("Paket rapat")
    st.caption(
        "Satu buku kerja (ringkasan, lalu Prosedur dan Temuan tiap kelompok) dan draf berita "
        "acara (Word) untuk kelompok yang dipilih. Naskah tiap kelompok: rancangan tersimpan "
        "terakhir, atau usulan otomatis bila belum ada."
    )
    agreed = [g.id for g in groups if g.id in statuses and statuses[g.id].agreed]
    chosen = st.multiselect(
        "Kelompok untuk rapat",
        options=[g.id for g in groups],
        default=agreed,
        format_func=titles.__getitem__,
        key="meeting_groups",
        placeholder="Pilih kelompok",
    )
    if not chosen:
        st.info("Pilih sedikitnya satu kelompok untuk menyiapkan paket rapat.")
    else:
        rule = v.settings.waktu_rule
        by_id = {g.id: g for g in groups}
        key_parts = [spec, rule]
        parts = []
        for gid in chosen:
            group = by_id[gid]
            group_fp, comparison = v.comparison(group.sops)
            found = findings_of(group_fp, spec, comparison)
            proposal = harmonise(comparison, rule=rule).sop
            parts.append(
                meeting_group(
                    group,
                    proposal,
                    found.findings,
                    drafts.get(gid),
                    statuses.get(gid),
                    v.settings.durations,
                )
            )
            status = statuses.get(gid)
            draft = drafts.get(gid)
            key_parts += [
                gid,
                group_fp,
                status.saved_at if status else "",
                str(draft.version) if draft else "",
            ]
        pack = meeting_pack_of("|".join(key_parts), parts)
        stamp = time.strftime("%Y%m%d")
        d1, d2 = st.columns(2)
        d1.download_button(
            "Unduh paket rapat (.xlsx)",
            data=pack.workbook,
            file_name=f"paket-rapat-{stamp}.xlsx",
            mime=XLSX,
            key="download_meeting_xlsx",
            type="primary",
        )
        d2.download_button(
            "Unduh berita acara (.docx)",
            data=pack.minutes,
            file_name=f"berita-acara-{stamp}.docx",
            mime=DOCX,
            key="download_meeting_docx",
        )
