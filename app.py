"""SOP Harmoni: the entry point only routes and holds the shared sidebar settings."""

from __future__ import annotations

import sys

import streamlit as st

st.set_page_config(page_title="SOP Harmoni", page_icon="📑", layout="wide")
# The first run of a fresh server imports the whole app (several seconds on a
# busy machine) before the model's preparation can report: say so at once. The
# same place then shows the preparation's own progress (model_status below).
starting = st.sidebar.empty()
if "app_pages._state" not in sys.modules:
    starting.progress(0.0, text="Memulai SOP Harmoni: memuat program dan memeriksa model bahasa …")

from app_pages._state import (  # noqa: E402  (after the notice above)
    ENCODERS,
    REVIEWER_KEY,
    RULES,
    UPLOAD_LIMIT_MB,
    data_dir_note,
    model_status,
    plain,
    reviewer,
    settings,
    start_model_preparation,
    store,
    user_errors,
)
from sopdata.review.store import GlossaryKind, StoreError  # noqa: E402

pages = [
    st.Page("app_pages/ringkasan.py", title="Ringkasan", icon=":material/dashboard:", default=True),
    st.Page("app_pages/korpus.py", title="Korpus", icon=":material/library_books:"),
    st.Page("app_pages/pencocokan.py", title="Pencocokan", icon=":material/join_inner:"),
    st.Page("app_pages/bandingkan.py", title="Bandingkan", icon=":material/compare_arrows:"),
    st.Page("app_pages/harmonisasi.py", title="Harmonisasi", icon=":material/edit_note:"),
]

conf = settings()  # a store that cannot be opened shows its message and stops here
reviewer()  # this session's name, first taken from the last one saved
# First start: the model is prepared on a background thread (once per server);
# the Korpus page and reading documents do not wait for it.
start_model_preparation(conf.encoder)
with starting.container():
    model_status(conf.encoder)  # the model's first preparation, with its progress


def _save(key: str) -> None:
    """Every setting goes to the store the moment it changes (the store's form:
    ``ReviewSettings.to_saved``). A store that cannot save is a message on the
    page; the widget keeps its new value."""
    value = st.session_state[REVIEWER_KEY if key == "reviewer" else f"setting_{key}"]
    try:
        store().set_setting(key, value, author=reviewer())
    except StoreError as exc:
        st.session_state["store_error"] = exc.message


if message := st.session_state.pop("store_error", None):
    st.error(message)


with st.sidebar:
    st.markdown("### SOP Harmoni")
    st.caption("Penyelarasan SOP Administrasi Pemerintahan antarkantor (Permenpan RB 35/2012).")
    st.text_input(
        "Nama peninjau",
        key=REVIEWER_KEY,
        on_change=_save,
        args=("reviewer",),
        help="Nama Anda di peramban ini; dicatat pada setiap koreksi, keputusan dan rancangan.",
    )
    with st.expander("Pengaturan", expanded=False):
        st.selectbox(
            "Model kemiripan",
            options=list(ENCODERS),
            format_func=ENCODERS.__getitem__,
            index=list(ENCODERS).index(conf.encoder) if conf.encoder in ENCODERS else 0,
            key="setting_encoder",
            on_change=_save,
            args=("encoder",),
        )
        st.number_input(
            "Jam kerja per hari",
            min_value=4.0,
            max_value=12.0,
            step=0.5,
            value=conf.hours_per_working_day,
            key="setting_hours_per_working_day",
            on_change=_save,
            args=("hours_per_working_day",),
            help="Untuk mengubah '1 hari' menjadi menit (bawaan 7,5 jam: 37,5 jam/minggu ASN).",
        )
        st.selectbox(
            "Aturan Waktu harmonisasi",
            options=list(RULES),
            format_func=RULES.__getitem__,
            index=list(RULES).index(conf.waktu_rule),
            key="setting_waktu_rule",
            on_change=_save,
            args=("waktu_rule",),
        )
        st.text_input(
            "Instansi penyelaras",
            value=conf.authority,
            key="setting_authority",
            on_change=_save,
            args=("authority",),
            placeholder="mis. Pemerintah Kabupaten Lumajang, Bagian Organisasi Sekretariat Daerah",
            help="Identitas rancangan harmonisasi (pemerintah kabupaten dan satuan kerja). "
            "Kosong: bagian identitas yang berbeda antarkantor dikosongkan.",
        )
    with st.expander("Glosarium", expanded=False):
        with st.form("glossary_form", clear_on_submit=True):
            kinds: list[GlossaryKind] = ["actor", "acronym"]
            kind = st.radio(
                "Jenis",
                kinds,
                horizontal=True,
                format_func={"actor": "Pelaksana", "acronym": "Singkatan"}.__getitem__,
            )
            # after a failed save, what was typed comes back (the form clears on submit)
            typed = st.session_state.pop("glossary_retry", ("", ""))
            alias = st.text_input("Tertulis", value=typed[0], placeholder="mis. Kasubbag TU")
            canonical = st.text_input("Artinya", value=typed[1], placeholder="mis. Kasubag Umum")
            if st.form_submit_button("Tambah") and alias.strip() and canonical.strip():
                try:
                    store().add_glossary_entry(kind, alias.strip(), canonical.strip(), reviewer())
                except StoreError as exc:
                    # the form was cleared on submit: what was typed is put back
                    st.session_state["glossary_retry"] = (alias, canonical)
                    st.session_state["store_error"] = exc.message
                    st.rerun()
                else:
                    st.toast("Entri glosarium disimpan.")
        entries = store().glossary_entries()
        for entry in entries:
            st.caption(f"{plain(entry.alias)} → {plain(entry.canonical)}")
    st.caption(
        f"Data kerja tersimpan di `{data_dir_note()}` · unggahan maks. {UPLOAD_LIMIT_MB} MB per berkas"
    )

with user_errors():  # the store calls pages make themselves, too
    st.navigation(pages).run()
