"""The pipeline's entry point: the `today` rule, one answer to "is it valid?", the cache."""

from __future__ import annotations

import datetime
import shutil

from conftest import BASE, TODAY

from generator.core import pipeline
from generator.core.load import load


def test_today_is_the_later_of_as_of_and_the_real_today():
    real = datetime.date.today()
    assert pipeline.today_for(None) == real
    assert pipeline.today_for(real - datetime.timedelta(days=30)) == real
    later = real + datetime.timedelta(days=30)
    assert pipeline.today_for(later) == later


def test_a_later_as_of_accepts_records_dated_up_to_it(records):
    path = records / "chengguan" / "cg-shiyan-xiaoxue.yaml"
    future = datetime.date.today() + datetime.timedelta(days=40)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - date: 2026-09-20\n", f"  - date: {future}\n", 1), "utf-8")
    codes = lambda run: {f.code for f in run.records.findings}  # noqa: E731
    assert "record.date-future" in codes(pipeline.run(records, TODAY))
    assert "record.date-future" in codes(pipeline.run(records, future - datetime.timedelta(days=1)))
    later = pipeline.run(records, future)
    assert "record.date-future" not in codes(later)
    assert "cg-shiyan-xiaoxue" in {r.id for r in later.evaluation.schools}


def test_one_file_is_listed_and_the_district_rates_still_count_every_school(records):
    whole = pipeline.run(records, TODAY)
    one = records / "chengguan" / "cg-shiyan-xiaoxue.yaml"
    part = pipeline.run(records, TODAY, files=[one], use_cache=True)
    assert [r.id for r in part.evaluation.schools] == ["cg-shiyan-xiaoxue"]
    assert [d.as_dict() if hasattr(d, "as_dict") else d for d in part.evaluation.districts] == [
        d.as_dict() if hasattr(d, "as_dict") else d for d in whole.evaluation.districts
    ]
    alone = pipeline.run(records, TODAY, files=[one], districts=False)
    assert alone.evaluation.districts == []


def test_check_document_answers_for_a_tree_and_a_single_file_alike(tmp_path):
    good = load(BASE)
    assert pipeline.check_document(good, "dossier", TODAY) == []
    bad = tmp_path / "bad.yaml"
    text = BASE.read_text(encoding="utf-8")
    shutil.copy(BASE, bad)
    bad.write_text(text.replace("deadline: 2026-12-31", "deadline: 2026-02-30", 1), "utf-8")
    found = pipeline.check_document(load(bad), "dossier", TODAY)
    assert [f.code for f in found] == ["schema.format"]
