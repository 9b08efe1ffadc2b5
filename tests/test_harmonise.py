"""The harmonised draft: rules for each field, provenance, and that it is an ordinary SOP."""

from __future__ import annotations

import copy

import pytest

from embeddings.lexical import TfidfEncoder
from sopdata.findings import find_differences
from sopdata.form import DECISION, PROCESS, TERMINATOR
from sopdata.harmonise import (
    ACTOR_TO_DECIDE,
    authority_identity,
    consensus_quorum,
    group_for_query,
    harmonise,
    set_optional,
)
from sopdata.matching.alignment import AlignedPair
from sopdata.matching.compare import compare_group, merge_alignments
from sopdata.matching.settings import MatchSettings, encoder_family
from sopdata.records import SOP, Step, sop_from_dict
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


# --- issue 16: consensus, Pelaksana, identity, the three corpus groups ---------------------------


@pytest.mark.parametrize("offices,quorum", [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4)])
def test_consensus_quorum_is_half_rounded_up(offices, quorum):
    assert consensus_quorum(offices) == quorum


def _shared_and_lone(lone_actor: str = "Caraka"):
    """Three offices; all three receive and sign, only A also sends the letter."""
    sops = [
        small_sop(
            f"Kecamatan {k}",
            [("Menerima surat masuk", "Agendaris", "5 menit"), ("Menandatangani surat", "", "")]
            + ([("Mengirim surat ke alamat tujuan", lone_actor, "20 menit")] if k == "A" else []),
        )
        for k in "ABC"
    ]
    return merge_alignments(
        sops,
        0,
        {
            1: [AlignedPair(0, 0, 1.0), AlignedPair(1, 1, 1.0)],
            2: [AlignedPair(0, 0, 1.0), AlignedPair(1, 1, 1.0)],
        },
    )


def test_a_step_one_office_of_three_has_is_optional_and_every_step_has_a_pelaksana():
    draft = harmonise(_shared_and_lone())
    assert [s.activity for s in draft.sop.steps] == ["Menerima surat masuk", "Menandatangani surat"]
    # No office names who signs: the draft says so instead of leaving the column empty.
    assert draft.sop.steps[1].actors == [ACTOR_TO_DECIDE]
    assert draft.sop.steps[1].marks == {ACTOR_TO_DECIDE: TERMINATOR}  # the last step
    (send,) = draft.optional
    assert send.offices == ("Kecamatan A",) and send.readable and send.after == 2
    kept = draft.with_optional([send.row])
    assert [s.no for s in kept.steps] == ["1", "2", "3"]
    assert kept.steps[-1].activity.startswith("Mengirim") and kept.steps[-1].actors == ["Caraka"]
    # The terminator moves to the new last step; the old last becomes a process.
    assert kept.steps[1].marks == {ACTOR_TO_DECIDE: PROCESS}
    assert kept.steps[2].marks == {"Caraka": TERMINATOR}
    assert "Caraka" in [a.name for a in kept.actors]
    # Dropped again, the consensus draft comes back.
    assert set_optional(kept, draft, []).to_dict() == draft.sop.to_dict()


def test_a_decision_keeps_its_ya_tidak_targets_through_keep_and_save():
    comparison = _shared_and_lone()
    for sop in comparison.sops:  # every office checks the letter before signing
        sop.steps.insert(
            1,
            Step(no="", activity="Memeriksa surat, jika salah dikembalikan", actors=["Sekcam"]),
        )
        sop.steps[1].marks = {"Sekcam": DECISION}
    pairs = [AlignedPair(i, i, 1.0) for i in range(3)]
    comparison = merge_alignments(comparison.sops, 0, {1: pairs, 2: pairs})
    draft = harmonise(comparison)
    check = draft.sop.steps[1]
    assert check.is_decision and (check.yes_to, check.no_to) == ("3", "1")
    kept = draft.with_optional([o.row for o in draft.optional])
    assert (kept.steps[1].yes_to, kept.steps[1].no_to) == ("3", "1")
    again = sop_from_dict(kept.to_dict())
    assert (again.steps[1].yes_to, again.steps[1].no_to) == ("3", "1")
    assert kept.to_dict()["steps"][1]["yes_to"] == "3"


@pytest.mark.parametrize(
    "authority,region,unit",
    [
        ("Pemerintah Kabupaten Lumajang", "Lumajang", ""),
        (
            "Pemerintah Kabupaten Lumajang, Bagian Organisasi Sekretariat Daerah",
            "Lumajang",
            "Bagian Organisasi Sekretariat Daerah",
        ),
        ("Bagian Organisasi Sekretariat Daerah", "", "Bagian Organisasi Sekretariat Daerah"),
        ("Kab. Jombang\nBagian Organisasi", "Jombang", "Bagian Organisasi"),
        ("Pemerintah Kota Malang; Bagian Organisasi", "Kota Malang", "Bagian Organisasi"),
        ("", "", ""),
    ],
)
def test_authority_identity(authority, region, unit):
    assert authority_identity(authority) == (region, unit)


def test_draft_identity_is_the_authoritys_never_one_offices(corpus_sops):
    lumajang = next(s for s in corpus_sops if s.office == "Kecamatan Candipuro")
    jombang = next(s for s in corpus_sops if s.office == "Kecamatan Jogoroto")
    comparison = compare_group([jombang, lumajang], TfidfEncoder())
    plain_draft = harmonise(comparison).sop
    assert (plain_draft.kabupaten, plain_draft.office) == ("", "")
    notes = " ".join(plain_draft.warnings)
    assert "Jombang; Lumajang" in notes and "Instansi penyelaras" in notes
    authority = "Pemerintah Kabupaten Lumajang, Bagian Organisasi Sekretariat Daerah"
    draft = harmonise(comparison, authority=authority)
    assert (draft.sop.kabupaten, draft.sop.office) == (
        "Lumajang",
        "Bagian Organisasi Sekretariat Daerah",
    )
    assert any(c.rule == "instansi penyelaras" for c in draft.choices)
    # The same offices agreeing is not one office's value: it is kept.
    same = harmonise(compare_group([jombang, copy.deepcopy(jombang)], TfidfEncoder())).sop
    assert same.kabupaten == "Jombang"


#: The groups of the issue's check, by their titles in the bundled corpus.
ISSUE_GROUPS = {
    "surat masuk": ("Pengelolaan Surat Masuk", "Surat Masuk"),
    "surat keluar": ("Pengelolaan Surat Keluar", "Surat Keluar"),
    "laporan kinerja": (
        "Penyusunan LAKIP (Laporan Akuntabilitas Kinerja Instansi Pemerintahan)",
        "Pengumpulan Data Kinerja",
        "Laporan Kinerja",
    ),
}


@pytest.mark.parametrize("name", list(ISSUE_GROUPS))
def test_issue_groups_draft_has_no_garbled_cell_and_a_pelaksana_everywhere(corpus_sops, name):
    group = [s for s in corpus_sops if s.title in ISSUE_GROUPS[name]]
    assert len(group) == len(ISSUE_GROUPS[name])
    comparison = compare_group(group, TfidfEncoder())
    draft = harmonise(comparison)
    steps = draft.sop.steps
    assert steps
    for step in steps:
        for text in (step.activity, step.requirements, step.output, step.note):
            assert is_readable(text), (name, step.no, text)
        assert step.actors and set(step.marks) == set(step.actors)
    assert set(steps[0].marks.values()) <= {TERMINATOR, DECISION}
    assert set(steps[-1].marks.values()) <= {TERMINATOR, DECISION}
    # The Sumber tab never calls garbage the most reliable wording.
    for choice in draft.choices:
        if choice.rule == "rumusan dari tabel paling andal":
            assert is_readable(choice.value)
    # Every garbled row of the group is an optional step, flagged and marked with its offices.
    jogoroto = next(m for m, s in enumerate(comparison.sops) if s.office == "Kecamatan Jogoroto")
    assert any(not o.readable for o in draft.optional)
    for o in draft.optional:
        assert o.offices
        if not o.readable:
            assert UNREADABLE_FLAG in o.step.note
            assert comparison.offices[jogoroto] in o.offices
    # Kept, every optional step still has a Pelaksana and the ends their terminators.
    everything = draft.with_optional([o.row for o in draft.optional])
    assert len(everything.steps) == len(steps) + len(draft.optional)
    assert all(s.actors for s in everything.steps)
    assert set(everything.steps[-1].marks.values()) <= {TERMINATOR, DECISION}
