"""The app's pages render on the bundled corpus (AppTest, no browser)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def test_korpus_page_lists_the_bundled_corpus():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception
    assert at.title[0].value == "Korpus SOP"
    assert "42 SOP" in at.caption[0].value
    table = at.dataframe[0].value
    assert len(table) == 42 and "Surat Keluar" in set(table["Judul SOP"])
    at.selectbox(key="korpus_sop").select(41).run()
    assert not at.exception
    assert at.subheader[0].value == "Pengarsipan Surat Masuk/Keluar"


@pytest.mark.slow
def test_pencocokan_page_shows_groups_with_reasons():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("pages/pencocokan.py").run()
    assert not at.exception
    pairs = at.dataframe[0].value
    assert len(pairs) > 0 and pairs["Alasan"].str.contains("kemiripan judul").all()
    assert any("Pensiun" in m.value for m in at.markdown)
