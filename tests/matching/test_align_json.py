"""``align --pairs --json`` on every University Admission pair: each object's
correspondences have a score on 0-1 and the kind their groups call for, and
every step is placed exactly once (issue 14)."""

from __future__ import annotations

import csv
import json

import pytest

from sopdata.cli import main
from sopdata.evaluate import ACTIVITY_SET_DIR

KINDS = {"sama", "digabung", "urutan berbeda"}


@pytest.fixture(scope="module")
def pairs_csv(tmp_path_factory):
    if not (ACTIVITY_SET_DIR / "cases.csv").exists():
        pytest.skip("University Admission set not present")
    models = ACTIVITY_SET_DIR / "models"
    with (ACTIVITY_SET_DIR / "cases.csv").open(encoding="utf-8") as fh:
        cases = [(r["a_model"], r["b_model"]) for r in csv.DictReader(fh)]
    path = tmp_path_factory.mktemp("align") / "pairs.csv"
    rows = [f"{models / f'{a}.json'},{models / f'{b}.json'}" for a, b in cases]
    path.write_text("a,b\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path, len(cases)


def _steps(model: str) -> list[str]:
    data = json.loads((ACTIVITY_SET_DIR / "models" / f"{model}.json").read_text("utf-8"))
    data = data[0] if isinstance(data, list) else data
    return [s["no"] for s in data["steps"]]


@pytest.mark.parametrize("encoder", ["tfidf", "e5"])
def test_every_score_on_zero_one_and_kinds_match_groups(capsys, pairs_csv, encoder):
    path, n = pairs_csv
    assert main(["align", "--pairs", str(path), "--json", "--encoder", encoder]) == 0
    objects = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(objects) == n
    merged = crossing = 0
    for obj in objects:
        for c in obj["correspondences"]:
            assert 0.0 <= c["score"] <= 1.0, c
            assert c["kind"] in KINDS, c
            size = len(c["a_steps"]) + len(c["b_steps"])
            assert (
                c["kind"] == ("digabung" if size > 2 else "sama") or c["kind"] == "urutan berbeda"
            )
            merged += c["kind"] == "digabung"
            crossing += c["kind"] == "urutan berbeda"
        for side, only in (("a", "only_a"), ("b", "only_b")):
            placed = [s for c in obj["correspondences"] for s in c[f"{side}_steps"]] + obj[only]
            assert sorted(placed) == sorted(_steps(obj[side]["office"])), (obj[side], side)
    # the set has steps done in another order and steps merged: both kinds show up
    assert merged > 0 and crossing > 0
