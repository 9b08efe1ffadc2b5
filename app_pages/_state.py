"""The UI boundary: Streamlit caching, the saved-work store, and the reviewer's view.

Pages call :func:`view` to get the corpus as the reviewer left it (uploads,
corrections, settings, decisions applied); everything they change goes straight
to the store (:func:`store`), never only into ``st.session_state``.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import altair as alt
import pandas as pd
import streamlit as st

from embeddings import get_encoder
from embeddings.base import Encoder, EncoderError
from embeddings.prepare import ModelPreparation, background_preparation
from sopdata.coverage import Coverage, coverage_chart, coverage_long
from sopdata.export.charts import (
    similarity_frame,
    similarity_heatmap,
    timing_chart,
    timing_frame,
    total_chart,
    total_frame,
)
from sopdata.export.excel import WorkbookParts, export_workbook
from sopdata.export.meeting import MeetingGroup, MeetingPack, meeting_pack
from sopdata.findings import GroupFindings, find_differences
from sopdata.form import DECISION
from sopdata.harmonise import WaktuRule
from sopdata.ingest.corpus import load_corpus
from sopdata.ingest.loaders import MAX_BYTES, document_text
from sopdata.matching.compare import GroupComparison, compare_group
from sopdata.matching.match import match_corpus
from sopdata.matching.pairs import PairMatch
from sopdata.matching.step_links import StepLink, links_among
from sopdata.records import SOP
from sopdata.resources import CORPUS_DIR
from sopdata.review.settings import ReviewSettings
from sopdata.review.store import StaleWriteError, StoreError, WorkStore, default_data_dir
from sopdata.review.workspace import (
    BRANCH_COLUMN,
    IDENTITY_EDIT_FIELDS,
    STEP_COLUMNS,
    Group,
    LoadedDocument,
    apply_corrections,
    apply_settings,
    build_groups,
    fingerprint,
    legacy_keys,
    load_documents,
    rescued_sops,
    rows_to_sop,
    steps_to_rows,
)
from sopdata.text.durations import DurationSettings
from sopdata.text.glossary import Glossary, with_entries
from sopdata.text.times import MONTHS, format_wib, to_wib

ENCODERS = {"e5": "multilingual-e5-small (semantik)", "tfidf": "TF-IDF huruf (cepat, leksikal)"}
RULES = {"median": "Nilai tengah antarkantor", "min": "Tercepat", "max": "Terlama"}
#: Upload limit shown to reviewers and enforced by the loader (see README).
UPLOAD_LIMIT_MB = MAX_BYTES // (1024 * 1024)


@contextmanager
def user_errors() -> Iterator[None]:
    """Show the store's or the encoder's failure as its Indonesian message and stop the page.

    The messages of :class:`StoreError` (corrupt or unwritable store, a store
    locked by another process too long) and :class:`EncoderError` (the model
    cannot be loaded) tell the reviewer what to do; a traceback would not.
    :class:`StaleWriteError` passes through: the pages offer to reload.
    """
    try:
        yield
    except StaleWriteError:
        raise
    except StoreError as exc:
        st.error(exc.message)
        st.stop()
    except EncoderError as exc:
        st.error(str(exc))
        st.stop()


@st.cache_resource
def _store_at(folder: str) -> WorkStore:
    return WorkStore.in_dir(folder)


def store() -> WorkStore:
    """One store per server and data folder ($SOP_HARMONI_DATA or data/)."""
    return _store_at(os.fspath(default_data_dir()))


@st.cache_data(show_spinner="Membaca korpus bawaan …")
def bundled_corpus() -> list[SOP]:
    return load_corpus()


#: Documents just read with a progress bar, handed to :func:`parsed_document`'s
#: cache (the bar is drawn outside the cached function: Streamlit replays the
#: elements a cached function draws, and a bar drawn outside it cannot be).
_just_read: dict[str, LoadedDocument] = {}


@st.cache_data(show_spinner=False, max_entries=256)
def parsed_document(name: str, sha256: str, _data: bytes) -> LoadedDocument:
    """One uploaded document parsed once per content (the hash is the cache key)."""
    done = _just_read.pop(sha256, None)
    return done if done is not None else load_documents([(name, sha256, _data)])[0]


def read_upload(name: str, sha256: str, data: bytes) -> LoadedDocument:
    """An upload read (in the capped worker) under a progress bar that counts the
    pages of a scan as OCR reads them; the result goes to :func:`parsed_document`'s
    cache, so the pages do not read it again."""
    bar = st.progress(0.0, text=f"Membaca {plain(name)} …")

    def report(_: str, done: int, total: int) -> None:
        page = min(done + 1, total)
        text = f"Membaca {plain(name)}: halaman {page} dari {total} (OCR) …"
        if done >= total:
            text = f"Membaca {plain(name)}: {total} halaman terbaca, menyusun SOP …"
        bar.progress(min(done / max(total, 1), 1.0), text=text)

    try:
        _just_read[sha256] = load_documents([(name, sha256, data)], progress=report)[0]
        return parsed_document(name, sha256, data)
    finally:
        _just_read.pop(sha256, None)
        bar.empty()


@st.cache_data(show_spinner="Mengambil teks dokumen …", max_entries=32)
def document_text_of(sha256: str, name: str) -> str:
    """The text of an uploaded or bundled document, for reading it beside the editor."""
    data = store().document_bytes(sha256)
    if data is None:
        path = CORPUS_DIR / name
        data = path.read_bytes() if path.resolve().parent == CORPUS_DIR and path.is_file() else b""
    return document_text(data, name)


def _needs_preparation(spec: str) -> bool:
    """An e5 spec, unless ``$SOP_HARMONI_BACKGROUND_PREPARE=0`` (the tests: the model is
    then prepared, if ever, when a page first asks for the encoder)."""
    if os.environ.get("SOP_HARMONI_BACKGROUND_PREPARE", "1") == "0":
        return False
    return spec.strip() in ("", "e5", "e5:onnx", "e5:torch")


@st.cache_resource(show_spinner=False)
def _preparation(spec: str) -> ModelPreparation:
    """The model's one-time preparation, started on a background thread once per server."""
    backend = spec.partition(":")[2] or None
    return background_preparation(backend=backend)


def start_model_preparation(spec: str) -> None:
    """Start preparing the similarity model in the background (first start: rebuild,
    export, quantise; later starts: a quick check). Pages that do not need the model
    stay usable meanwhile."""
    if _needs_preparation(spec):
        _preparation(spec)


def model_preparation(spec: str) -> ModelPreparation | None:
    """The model's preparation while it is still running; None once it is ready (or
    when this encoder needs none). Pages that must stay fast (Ringkasan) show it
    instead of waiting."""
    if not _needs_preparation(spec):
        return None
    prep = _preparation(spec)
    return None if prep.done else prep


#: Shown while the model is prepared (first start: several tens of seconds).
PREPARING = "Menyiapkan model bahasa (sekali saja) …"


def preparation_text(message: str, fraction: float) -> str:
    """The progress line of the model's preparation: what is done now and how far along
    (before its first step reports, "memulai …" rather than the thread's "Menunggu …")."""
    if fraction == 0 and message.startswith("Menunggu"):
        message = "memulai …"
    return f"{PREPARING} {message} ({round(fraction * 100)}%)"


def wait_for_model(spec: str) -> None:
    """On a page that needs the model: while it is being prepared, say so with progress
    (instead of blocking silently) and continue once it is ready."""
    if not _needs_preparation(spec):
        return
    prep = _preparation(spec)
    if prep.done:
        return
    box = st.empty()
    with box.container(), st.status(PREPARING, expanded=True) as status:
        st.caption(
            "Hanya pada penggunaan pertama di komputer ini. Halaman Korpus dapat dibuka "
            "sementara menunggu."
        )
        bar = st.progress(prep.fraction, text=preparation_text(prep.message, prep.fraction))
        while not prep.wait(0.5):
            bar.progress(prep.fraction, text=preparation_text(prep.message, prep.fraction))
        status.update(label="Model bahasa siap.", state="complete")
    box.empty()
    # A failed preparation is not shown here: loading the encoder falls back to
    # torch or raises the EncoderError that the page shows.


def model_status(spec: str) -> None:
    """In the sidebar of every page: the model's preparation while it runs, with its
    progress, refreshed every second (a fragment: the page itself does not rerun).
    Nothing once the model is ready."""
    if not _needs_preparation(spec) or _preparation(spec).done:
        return

    @st.fragment(run_every=1.0)
    def _progress() -> None:
        prep = _preparation(spec)
        if prep.done:
            if prep.error:
                st.caption("Model bahasa belum dapat disiapkan; lihat pesan di halaman.")
            else:
                st.caption("Model bahasa siap.")
            return
        st.progress(prep.fraction, text=preparation_text(prep.message, prep.fraction))

    _progress()


@st.cache_resource(show_spinner="Memuat model kemiripan …")
def encoder(spec: str) -> Encoder:
    return get_encoder(spec)


def encoding_text(done: int, total: int) -> str:
    """The progress line of encoding the corpus's texts before matching."""
    return f"Mengodekan {done:,} dari {total:,} teks (judul dan langkah SOP) …".replace(",", ".")


@st.cache_data(show_spinner="Mencocokkan SOP antarkantor …", max_entries=8)
def corpus_matches(corpus_fingerprint: str, spec: str, _sops: list[SOP]) -> list[PairMatch]:
    """Scored pairs of the corpus; recomputed only when an SOP or the encoder changes."""
    progress = st.progress(0.0, text="Mengodekan judul dan langkah SOP …")

    def report(done: int, total: int) -> None:
        progress.progress(min(done / max(total, 1), 1.0), text=encoding_text(done, total))

    matches, _ = match_corpus(_sops, encoder(spec), progress=report)
    progress.empty()
    return matches


@st.cache_data(show_spinner="Menyejajarkan langkah …", max_entries=64)
def _comparison(
    group_fingerprint: str, spec: str, _sops: list[SOP], _links: list[StepLink]
) -> GroupComparison:
    return compare_group(_sops, encoder(spec), links=_links)


def comparison_key(sops: list[SOP], links: list[StepLink]) -> str:
    """The cache key of everything computed from a group's comparison: the
    members' content and the reviewer's step-link corrections among them."""
    among = links_among(links, sops)
    if not among:
        return fingerprint(sops)
    marks = ";".join(f"{'|'.join(x.steps)}={int(x.linked)}" for x in among)
    return f"{fingerprint(sops)}+{hashlib.sha256(marks.encode('utf-8')).hexdigest()[:16]}"


def comparison_of(
    group_fingerprint: str, spec: str, sops: list[SOP], links: list[StepLink] | None = None
) -> GroupComparison:
    """The group's steps aligned with the reviewer's step-link corrections
    (cached by :func:`comparison_key` and encoder); an encoder failure is shown."""
    wait_for_model(spec)
    with user_errors():
        return _comparison(group_fingerprint, spec, sops, links_among(links or [], sops))


@st.cache_resource(show_spinner=False, max_entries=64)
def findings_of(
    group_fingerprint: str, spec: str, _comparison: GroupComparison, rule: WaktuRule = "median"
) -> GroupFindings:
    """The differences within a group, with the values of the draft made with
    ``rule``; one shared object, which callers only read."""
    return find_differences(_comparison, rule=rule)


# Building an Altair chart validates its whole spec (30-50 ms a chart on the
# project's machines), so each chart is built once per content and shared.
@st.cache_resource(show_spinner=False, max_entries=64)
def group_charts(
    group_fingerprint: str, spec: str, _comparison: GroupComparison, _found: GroupFindings
) -> tuple[alt.Chart | None, alt.Chart]:
    """Bandingkan's charts: Waktu per aligned step (None when none is readable) and totals."""
    frame = timing_frame(_comparison)
    day = _comparison.sops[0].time_settings.hours_per_working_day * 60 if _comparison.sops else 450
    return (
        (timing_chart(frame, day) if len(frame) else None),
        total_chart(total_frame(_found), day),
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def similarity_chart(
    corpus_fingerprint: str, spec: str, _sops: list[SOP], _matches: list[PairMatch]
) -> alt.Chart | None:
    """Pencocokan's heatmap of the matched SOPs (None when nothing matched)."""
    frame = similarity_frame(_sops, _matches)
    return similarity_heatmap(frame) if len(frame) else None


@st.cache_resource(show_spinner=False, max_entries=8)
def coverage_chart_of(groups_key: str, _coverage: Coverage) -> alt.Chart:
    """Ringkasan's coverage heatmap, built once per set of groups (``groups_key``:
    the corpus fingerprint and every group's id and members)."""
    return coverage_chart(coverage_long(_coverage))


@st.cache_data(show_spinner="Menyusun paket rapat …", max_entries=16)
def meeting_pack_of(key: str, _groups: list[MeetingGroup]) -> MeetingPack:
    """The meeting pack of the chosen groups, built again only when ``key`` (the
    groups, their content, status and draft version) changes."""
    return meeting_pack(_groups)


@st.cache_data(show_spinner=False, max_entries=32)
def workbook_of(
    draft_fingerprint: str,
    group_fingerprint: str,
    spec: str,
    rule: str,
    _draft: SOP,
    _parts: WorkbookParts,
) -> bytes:
    """The draft's Excel workbook, built again only when the draft or its group changes.

    Building it takes 0.1–0.3 s, and the Harmonisasi page shows its download
    button on every run; the parts follow from the group, the model and the rule.
    """
    return export_workbook(_draft, parts=_parts)


def settings() -> ReviewSettings:
    """The reviewer's saved settings (defaults for what was never saved)."""
    with user_errors():
        return ReviewSettings.from_saved(store().all_settings())


#: Session-state key of the reviewer's name: it belongs to the browser session.
REVIEWER_KEY = "reviewer_name"


def reviewer() -> str:
    """Who is working in this browser session: the name typed in the sidebar
    (the last name saved by anyone is only the default of a new session).
    Every saved record carries it."""
    if REVIEWER_KEY not in st.session_state:
        st.session_state[REVIEWER_KEY] = settings().reviewer
    return str(st.session_state[REVIEWER_KEY] or "").strip() or "peninjau"


def save_failed(exc: StoreError) -> None:
    """Show a store failure during a save; the page goes on, so the form keeps
    what the reviewer typed and the save can be tried again."""
    st.error(exc.message)


@dataclass
class View:
    """The corpus as the reviewer sees it now."""

    sops: list[SOP]
    documents: list[LoadedDocument]
    matches: list[PairMatch]
    groups: list[Group]
    corpus_fingerprint: str
    settings: ReviewSettings
    corrected: set[str]
    #: The reviewer's step-link corrections (every group's; see ``sopdata.matching.step_links``).
    step_links: list[StepLink] = field(default_factory=list)

    def comparison_key(self, sops: list[SOP]) -> str:
        """:func:`comparison_key` of ``sops`` with this view's corrections."""
        return comparison_key(sops, self.step_links)

    def comparison(self, sops: list[SOP]) -> tuple[str, GroupComparison]:
        """The cache key and the comparison of ``sops`` (:func:`comparison_of`)."""
        key = self.comparison_key(sops)
        return key, comparison_of(key, self.settings.encoder, sops, self.step_links)

    def by_key(self) -> dict[str, SOP]:
        return {s.key: s for s in self.sops}


def uploaded_documents() -> list[LoadedDocument]:
    """The kept uploads: a document recorded as failed shows its message and is
    never read again; one read before is read (in a capped worker) once per
    server and content; one kept before outcomes were recorded gets its outcome
    recorded now."""
    ws = store()
    docs = []
    for record in ws.list_documents():
        if record.failed:
            docs.append(
                LoadedDocument(record.name, record.sha256, [], error=record.parse_error or "")
            )
            continue
        data = ws.document_bytes(record.sha256)
        if data is None:
            continue
        doc = parsed_document(record.name, record.sha256, data)
        if record.parsed_at is None or doc.error:
            ws.set_document_outcome(record.sha256, doc.error or None)
        docs.append(doc)
    return docs


def glossary_from_store() -> Glossary | None:
    entries = store().glossary_entries()
    return with_entries(entries) if entries else None


#: Session-state key of the toasts for the next run (see :func:`toast_after_rerun`).
_TOASTS_KEY = "pending_toasts"


def toast_after_rerun(message: str, long: bool = False) -> None:
    """Say what an action did, in a toast shown by the run that ``st.rerun()`` starts
    (a toast sent just before a rerun can be lost); :func:`view` shows it."""
    st.session_state.setdefault(_TOASTS_KEY, []).append((message, long))


def show_pending_toasts() -> None:
    """The toasts :func:`toast_after_rerun` kept for this run (every page calls :func:`view`)."""
    for message, long in st.session_state.pop(_TOASTS_KEY, []):
        st.toast(message, duration="long" if long else "short")


def view(with_matches: bool = True) -> View:
    """Bundled corpus + uploads, with corrections, settings and decisions applied.

    A store or encoder failure shows its message and stops the page.
    """
    show_pending_toasts()
    with user_errors():
        return _view(with_matches)


def view_or_encoder_error() -> tuple[View, str | None]:
    """The view with matches; when the model cannot be loaded, the view without
    them and the encoder's message (for a page that stays useful without groups).
    A store failure shows its message and stops the page."""
    with user_errors():
        try:
            return _view(True), None
        except EncoderError as exc:
            return _view(False), str(exc)


def _view(with_matches: bool) -> View:
    ws = store()
    conf = settings()
    docs = uploaded_documents()
    base = list(bundled_corpus())
    seen = {s.source_file for s in base}
    contents = {s.document_sha256 for s in base}
    for doc in docs:
        if doc.sha256 in contents:
            continue  # the same document again: its SOPs (and keys) are there already
        for sop in doc.sops:
            # Two files of one name: told apart on screen (keys come from the content).
            if sop.source_file in seen and not sop.source_file.endswith(doc.sha256[:8]):
                sop.source_file = f"{sop.source_file} ({doc.sha256[:8]})"
        seen.update(s.source_file for s in doc.sops)
        contents.add(doc.sha256)
        base.extend(doc.sops)
    ws.rename_sop_keys(legacy_keys(base))  # work saved under the old file#index keys
    corrections = ws.latest_sop_corrections()
    base.extend(rescued_sops(docs, corrections))  # documents a reviewer read by hand
    sops = apply_corrections(base, corrections)
    sops = apply_settings(sops, conf.durations, glossary_from_store())
    fp = fingerprint(sops)
    matches: list[PairMatch] = []
    groups: list[Group] = []
    if with_matches:
        wait_for_model(conf.encoder)
        matches = corpus_matches(fp, conf.encoder, sops)
        groups = build_groups(
            sops,
            matches,
            _decisions(),
            ws.group_overrides(),
            ws.latest_drafts().keys() | ws.group_statuses().keys(),
        )
    return View(sops, docs, matches, groups, fp, conf, set(corrections), ws.step_links())


def _decisions() -> dict[tuple[str, str], str]:
    return {pair: d.decision for pair, d in store().match_decisions().items()}


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$=^&])")
#: Streamlit reads ``:name:`` (emoji), ``:material/name:`` (icons) and ``:red[...]``
#: (colours) in the text of a rendered string; a zero-width space after every
#: colon keeps each colon, on screen, from opening one.
_COLON = ":\u200b"


def plain(text: object) -> str:
    """Any string from a document, a file name, the glossary or a reviewer, made
    safe for every place Streamlit renders Markdown (``st.markdown``, captions,
    messages, subheaders, ``help=`` tooltips): shown as typed, never formatted.

    Backslash-escapes Markdown's specials (links ``[x](y)``, images ``![``, emphasis,
    headings, code, tables, ``$…$`` math, HTML ``<tag>`` and entities) and breaks
    ``:material/x:``, ``:emoji:`` shortcodes and ``:colour[...]`` directives; line
    breaks become spaces (a newline could start a list or a heading).
    """
    flat = " ".join(str(text).splitlines())
    return _MARKDOWN_SPECIALS.sub(r"\\\1", flat).replace(":", _COLON)


def wib(saved_at_utc: str, seconds: bool = False) -> str:
    """A time the store saved (ISO 8601, UTC) as the reviewer reads it:
    ``"29 Nov 2026 14:35 WIB"`` (:mod:`sopdata.text.times`). Text that is not a
    time is returned as it is."""
    try:
        local = to_wib(saved_at_utc.strip())
    except (AttributeError, ValueError):
        return str(saved_at_utc)
    if not seconds:
        return format_wib(local)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year} {local:%H:%M:%S} WIB"


def data_dir_note() -> str:
    return os.fspath(default_data_dir())


#: Rows of the step editor: three lines of wrapped text (the grid wraps text only
#: in rows taller than 4rem, 64 px).
STEP_ROW_HEIGHT = 68
#: The step editor's columns (together about 800 px wide).
STEP_EDITOR_COLUMNS = {
    "No": st.column_config.TextColumn("No", width=45),
    "Kegiatan": st.column_config.TextColumn(width=170),
    "Pelaksana": st.column_config.TextColumn(
        width=105, help="Nama pelaksana, pisahkan dengan koma."
    ),
    "Keputusan": st.column_config.CheckboxColumn(
        "Kep.", width=60, help=f"Langkah keputusan (simbol {DECISION})."
    ),
    BRANCH_COLUMN: st.column_config.TextColumn(
        "Ya/Tdk",
        width=72,
        help="Untuk langkah keputusan: nomor langkah tujuan jika Ya / jika Tidak, "
        "mis. '5 / 2'. Kosong: Ya ke langkah berikutnya.",
    ),
    "Kelengkapan": st.column_config.TextColumn(width=105, help="Mutu Baku: Kelengkapan."),
    "Waktu": st.column_config.TextColumn(
        width=75, help="Mutu Baku: Waktu, seperti tertulis, mis. '15 menit' atau '1 hari'."
    ),
    "Output": st.column_config.TextColumn(width=95, help="Mutu Baku: Output."),
    "Keterangan": st.column_config.TextColumn(width=95),
}


def sop_editor(sop: SOP, field_key: str, steps_key: str, durations: DurationSettings) -> SOP:
    """The identity fields and the step table of ``sop`` as form widgets (call it
    inside ``st.form``); returns the SOP as edited. Text widgets, never
    markdown: SOP text may hold markup and must show as text."""
    st.markdown("**Identitas SOP**")
    identity: dict[str, str] = {}
    left, right = st.columns(2)
    for k, (attr, label, is_list) in enumerate(IDENTITY_EDIT_FIELDS):
        col = left if k < 8 else right
        value = getattr(sop, attr)
        if is_list:
            identity[attr] = col.text_area(
                label,
                value="\n".join(value),
                key=f"{field_key}_{attr}",
                help="Satu butir per baris.",
            )
        else:
            identity[attr] = col.text_input(label, value=value, key=f"{field_key}_{attr}")
    st.markdown(
        "**Langkah (Uraian Prosedur)** — ubah sel yang salah; baris dapat ditambah atau dihapus."
    )
    # Every Mutu Baku column on one screen at 1366 px (about 850 px beside the
    # sidebar): narrow columns, and rows tall enough for long text to wrap.
    edited = st.data_editor(
        pd.DataFrame(steps_to_rows(sop), columns=list(STEP_COLUMNS)),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        row_height=STEP_ROW_HEIGHT,
        key=steps_key,
        column_config=STEP_EDITOR_COLUMNS,
    )
    return rows_to_sop(sop, edited.to_dict("records"), identity, durations)
