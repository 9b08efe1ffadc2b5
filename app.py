"""SOP Harmoni: the entry point only routes and holds the shared sidebar settings."""

from __future__ import annotations

import streamlit as st

from app_pages._state import (
    ENCODERS,
    RULES,
    UPLOAD_LIMIT_MB,
    data_dir_note,
    plain,
    settings,
    start_model_preparation,
    store,
    user_errors,
)
from sopdata.review.store import GlossaryKind

st.set_page_config(page_title="SOP Harmoni", page_icon="📑", layout="wide")

pages = [
    st.Page("app_pages/korpus.py", title="Korpus", icon=":material/library_books:", default=True),
    st.Page("app_pages/pencocokan.py", title="Pencocokan", icon=":material/join_inner:"),
    st.Page("app_pages/bandingkan.py", title="Bandingkan", icon=":material/compare_arrows:"),
    st.Page("app_pages/harmonisasi.py", title="Harmonisasi", icon=":material/edit_note:"),
]

conf = settings()  # a store that cannot be opened shows its message and stops here
# First start: the model is prepared on a background thread (once per server);
# the Korpus page and reading documents do not wait for it.
start_model_preparation(conf.encoder)


def _save(key: str) -> None:
    """Every setting goes to the store the moment it changes (the store's form: ``ReviewSettings.to_saved``)."""
    with user_errors():
        store().set_setting(key, st.session_state[f"setting_{key}"], author=conf.reviewer)


with st.sidebar:
    st.markdown("### SOP Harmoni")
    st.caption("Penyelarasan SOP Administrasi Pemerintahan antarkantor (Permenpan RB 35/2012).")
    st.text_input(
        "Nama peninjau",
        value=conf.reviewer,
        key="setting_reviewer",
        on_change=_save,
        args=("reviewer",),
        help="Dicatat pada setiap koreksi dan rancangan.",
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
    with st.expander("Glosarium", expanded=False):
        with st.form("glossary_form", clear_on_submit=True):
            kinds: list[GlossaryKind] = ["actor", "acronym"]
            kind = st.radio(
                "Jenis",
                kinds,
                horizontal=True,
                format_func={"actor": "Pelaksana", "acronym": "Singkatan"}.__getitem__,
            )
            alias = st.text_input("Tertulis", placeholder="mis. Kasubbag TU")
            canonical = st.text_input("Artinya", placeholder="mis. Kasubag Umum")
            if st.form_submit_button("Tambah") and alias.strip() and canonical.strip():
                with user_errors():
                    store().add_glossary_entry(
                        kind, alias.strip(), canonical.strip(), conf.reviewer
                    )
                st.toast("Entri glosarium disimpan.")
        with user_errors():
            entries = store().glossary_entries()
        for entry in entries:
            st.caption(f"{plain(entry.alias)} → {plain(entry.canonical)}")
    st.caption(
        f"Data kerja tersimpan di `{data_dir_note()}` · unggahan maks. {UPLOAD_LIMIT_MB} MB per berkas"
    )

with user_errors():  # the store calls pages make themselves, too
    st.navigation(pages).run()
