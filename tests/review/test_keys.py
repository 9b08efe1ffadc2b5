"""SOP keys come from the document's content: renaming a file keeps them, and work
saved under the old file-name keys is found again."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sopdata.ingest.loaders import load_bytes
from sopdata.records import sop_from_dict
from sopdata.review.workspace import apply_corrections, build_groups, group_id, legacy_keys

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "corpus" / "lumajang-kec-lumajang-rekrutmen-tenaga-kontrak.txt"


def test_key_is_the_content_not_the_name() -> None:
    data = SAMPLE.read_bytes()
    first = load_bytes(data, "asli.txt").sops
    renamed = load_bytes(data, "nama lain (1a2b3c4d).txt").sops
    sha = hashlib.sha256(data).hexdigest()
    assert (
        [s.key for s in first]
        == [s.key for s in renamed]
        == [f"{sha[:12]}#{k}" for k in range(len(first))]
    )
    assert all(s.document_sha256 == sha for s in first)
    # kept by the dict form (a saved correction or draft)
    again = sop_from_dict(first[0].to_dict())
    assert again.document_sha256 == sha and again.key == first[0].key


def test_an_sop_without_a_document_keeps_the_file_key() -> None:
    sop = sop_from_dict({"source_file": "harmonisasi:Surat Keluar", "title": "Surat Keluar"})
    assert sop.key == "harmonisasi:Surat Keluar#0"


def test_legacy_keys_and_corrections() -> None:
    sops = load_bytes(SAMPLE.read_bytes(), "a.txt").sops
    assert legacy_keys(sops) == {f"a.txt#{s.index_in_file}": s.key for s in sops}
    saved = sops[0].to_dict()
    del saved["document_sha256"]  # a correction saved before keys came from the content
    saved["title"] = "dikoreksi"
    fixed = apply_corrections(sops, {sops[0].key: saved})[0]
    assert fixed.title == "dikoreksi" and fixed.key == sops[0].key


def test_a_group_keeps_the_id_its_saved_work_uses() -> None:
    sops = [
        sop_from_dict(
            {
                "source_file": f"{c}.txt",
                "title": "Surat Keluar",
                "office": f"Kantor {c}",
                "document_sha256": c * 64,
            }
        )
        for c in "abc"
    ]
    assert group_id(sops) == f"g:{'a' * 12}#0"
    assert group_id(sops, {f"g:{'c' * 12}#0"}) == f"g:{'c' * 12}#0"
    decisions = {(sops[0].key, sops[2].key): "confirmed"}
    (group,) = build_groups(sops, [], decisions, known_ids={f"g:{sops[2].key}"})
    assert group.id == f"g:{sops[2].key}"
