"""The harmonised draft: rules for each field, provenance, and that it is an ordinary SOP."""

from __future__ import annotations

import pytest

from embeddings.lexical import TfidfEncoder
from sopdata.findings import find_differences
from sopdata.form import DECISION, PROCESS, TERMINATOR
from sopdata.harmonise import group_for_query, harmonise
from sopdata.matching.alignment import AlignedPair
from sopdata.matching.compare import compare_group, merge_alignments
from sopdata.matching.settings import MatchSettings, encoder_family
from sopdata.records import SOP, sop_from_dict
from sopdata.text.readability import UNREADABLE_FLAG, is_readable
from tests.support.builders import gold_group, small_sop


def _three(
    times=("5 menit", "10 menit", "30 menit"), actors=("Camat", "Camat", "Sekretaris Camat")
):
    sops = [
        small_sop(
            f"Kecamatan {k}",
            [
                ("Menerima surat", "Agendaris", "5 menit"),
                ("Menandatangani surat", actor, t),
                ("Mengirim surat", "Caraka", "20 menit"),
            ],
        )
        for k, t, actor in zip("ABC", times, actors, strict=True)
    ]
    diag = [AlignedPair(i, i, 1.0) for i in range(3)]
    return merge_alignments(sops, 0, {1: diag, 2: diag})


@pytest.mark.parametrize(
    "rule,times,expected,sources",
    [
        ("median", ("5 menit", "10 menit", "30 menit"), "10 menit", ("Kecamatan B",)),
        ("min", ("5 menit", "10 menit", "30 menit"), "5 menit", ("Kecamatan A",)),
        ("max", ("5 menit", "10 menit", "30 menit"), "30 menit", ("Kecamatan C",)),
        # even count: the lower middle value, one an office actually wrote
        ("median", ("10 menit", "5 menit", ""), "5 menit", ("Kecamatan B",)),
        ("median", ("1 jam", "60 menit", "2 jam"), "1 jam", ("Kecamatan A", "Kecamatan B")),
    ],
)
def test_waktu_rule(rule, times, expected, sources):
    draft = harmonise(_three(times), rule=rule)
    assert draft.sop.steps[1].duration.raw == expected
    choice = next(c for c in draft.sources_of("2") if c.field == "Waktu")
    assert choice.sources == sources


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError):
        harmonise(_three(), rule="mean")  # type: ignore[arg-type]


def test_majority_actor_and_symbols():
    draft = harmonise(_three()).sop
    assert draft.steps[1].actors == ["Camat"]
    assert [a.name for a in draft.actors] == ["Agendaris", "Camat", "Caraka"]
    assert draft.steps[0].marks == {"Agendaris": TERMINATOR}
    assert draft.steps[1].marks == {"Camat": PROCESS}
    assert draft.steps[2].marks == {"Caraka": TERMINATOR}
    assert draft.total_minutes == 5 + 10 + 20


def test_decision_marked_by_an_office_stays_a_decision():
    comparison = _three()
    comparison.sops[1].steps[1].marks = {"Camat": "◇"}
    draft = harmonise(comparison).sop
    assert draft.steps[1].marks == {"Camat": DECISION}
    assert draft.steps[1].is_decision


def test_most_central_wording_is_chosen_among_three():
    a = small_sop("Kecamatan A", [("Camat menandatangani surat keluar", "Camat", "5 menit")])
    b = small_sop("Kecamatan B", [("Penandatanganan surat keluar oleh Camat", "Camat", "5 menit")])
    c = small_sop("Kecamatan C", [("Camat menandatangani surat", "Camat", "5 menit")])
    comparison = compare_group([a, b, c], TfidfEncoder(), pivot=0)
    assert len(comparison.rows) == 1
    draft = harmonise(comparison)
    # A's wording shares most with both others; it is an office's own sentence.
    assert draft.sop.steps[0].activity == "Camat menandatangani surat keluar"
    assert draft.sop.steps[0].activity in {s.steps[0].activity for s in (a, b, c)}


def test_seed_group_draft_is_an_ordinary_sop(sops_by_file):
    sops, alignments = gold_group(sops_by_file, "surat-keluar")
    comparison = merge_alignments(sops, 1, alignments)
    draft = harmonise(comparison)
    sop = draft.sop
    # Consensus: the six rows Setda wrote readably; the one row only Jogoroto has, in
    # garbled OCR, is offered as an optional step rather than written into the draft.
    assert len(sop.steps) == len(comparison.rows) - 1 == 6
    assert [s.no for s in sop.steps] == [str(k) for k in range(1, len(sop.steps) + 1)]
    (extra,) = draft.optional
    assert extra.offices == (sops[0].office,) and not extra.readable
    assert "Sekretaris menyampalkan surat dinas" in extra.label
    assert all(is_readable(s.activity) for s in sop.steps)
    # Setda's clean table wins the wording; Jogoroto's legal basis is carried over.
    assert sop.steps[0].activity == "Menyampaikan draf surat ke Pengadministrasi Umum."
    assert any("Nomor 16 Tahun 2010" in b for b in sop.legal_basis)
    assert {c.field for c in draft.choices} >= {"Kegiatan", "Waktu", "Dasar Hukum", "Nama SOP"}
    for choice in draft.choices:
        assert choice.sources and choice.rule
    # Sending: 1 Harl (OCR) vs 20 menit -> the lower median, as Setda wrote it.
    sending = next(s for s in sop.steps if s.activity.startswith("Mengirim"))
    assert sending.duration.raw == "20 menit"
    # Kept, it goes back to its aligned place, flagged for the meeting.
    kept = draft.with_optional([extra.row])
    assert len(kept.steps) == 7
    assert [s.no for s in kept.steps] == [str(k) for k in range(1, 8)]
    at = next(k for k, s in enumerate(kept.steps) if "menyampalkan" in s.activity)
    assert at == extra.after and UNREADABLE_FLAG in kept.steps[at].note
    assert draft.with_optional([]).to_dict() == sop.to_dict()
    # It round-trips like any other record, and can be compared again.
    again = sop_from_dict(kept.to_dict())
    assert again.to_dict() == kept.to_dict()
    # Compared with Setda's SOP, whose times it took, the draft differs in no time; the one
    # step only Jogoroto has, kept garbled, is the draft's "teks tidak terbaca" finding.
    back = find_differences(compare_group([again, sops[1]], TfidfEncoder())).findings
    categories = {f.category for f in back}
    assert not categories & {"timing", "total_time"}
    (garbled,) = [f for f in back if f.category == "unreadable"]
    assert garbled.offices == (again.label,) and len(garbled.steps) == 1


def test_reviewer_title_and_empty_group():
    draft = harmonise(_three(), title="Pengelolaan Surat Keluar Kecamatan")
    assert draft.sop.title == "Pengelolaan Surat Keluar Kecamatan"
    assert draft.sop.source_file.startswith("harmonisasi:")
    lone = harmonise(compare_group([SOP(source_file="x", title="Kosong")], TfidfEncoder()))
    assert lone.sop.steps == [] and lone.sop.title == "Kosong"


def test_group_for_query_with_lexical_encoder(corpus_sops):
    encoder = TfidfEncoder()
    groups = [[s] for s in corpus_sops]
    titles = [g[0].title for g in groups]
    assert titles[group_for_query("surat keluar", groups, encoder)].endswith("Surat Keluar")
    assert titles[group_for_query("LKj", groups, encoder)] in {
        "Laporan Kinerja",
        "Penyusunan LAKIP (Laporan Akuntabilitas Kinerja Instansi Pemerintahan)",
    }
    assert group_for_query("izin mendirikan kapal selam", groups, encoder) is None
    assert group_for_query("   ", groups, encoder) is None


def _eight_hour_group(times):
    from sopdata.review.settings import ReviewSettings, with_durations

    eight = ReviewSettings(hours_per_working_day=8).durations
    sops = with_durations(
        [
            small_sop(
                f"Kecamatan {k}",
                [("Menerima surat", "Agendaris", "5 menit"), ("Menandatangani surat", "Camat", t)],
            )
            for k, t in zip("ABC", times, strict=True)
        ],
        eight,
    )
    diag = [AlignedPair(i, i, 1.0) for i in range(2)]
    return merge_alignments(sops, 0, {1: diag, 2: diag}), eight


def test_waktu_choice_and_total_with_an_eight_hour_day():
    comparison, eight = _eight_hour_group(("1 hari", "8 jam", "2 hari"))
    draft = harmonise(comparison, rule="median")
    # 1 hari = 8 jam = 480 minutes: both offices wrote the chosen value (at 7.5 h only "8 jam" would)
    choice = next(c for c in draft.sources_of("2") if c.field == "Waktu")
    assert choice.value == "1 hari" and choice.sources == ("Kecamatan A", "Kecamatan B")
    assert draft.sop.steps[1].duration.minutes == 480
    assert draft.sop.time_settings == eight and draft.sop.total_minutes == 485
    again = sop_from_dict(draft.sop.to_dict())  # a saved draft reloads at its own working day
    assert again.total_minutes == 485 and again.time_settings == eight


def test_ocr_waktu_is_rewritten_with_the_working_day():
    comparison, _ = _eight_hour_group(("1 Harl", "2 hari", "3 hari"))
    draft = harmonise(comparison, rule="min")
    assert draft.sop.steps[1].duration.raw == "1 hari"  # not "1 hari 30 menit"
    assert draft.sop.steps[1].duration.minutes == 480


def test_group_for_query_threshold_is_the_encoders():
    # a title close enough on the encoder's own scale is found without a shared key term
    encoder = TfidfEncoder()
    groups = [
        [SOP(source_file="a", title="Pengelolaan Surat Keluar")],
        [SOP(source_file="b", title="Cuti Tahunan")],
    ]
    settings = MatchSettings.load(encoder=encoder_family(encoder.name))
    assert settings.query_min_cosine < 0.9  # e5's 0.9 would mean "never" for TF-IDF
    assert group_for_query("Pengelolaan Srat Keluarr", groups, encoder) == 0
    assert (
        group_for_query("Pengelolaan Srat Keluarr", groups, encoder, MatchSettings(background=0.8))
        is None
    )
