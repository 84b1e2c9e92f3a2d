"""The pipeline's store: what validation and evaluation found for each file, reused while the
file, its place, the rule set and the day allow, and never otherwise."""

from __future__ import annotations

import datetime
import os
import pickle
import stat

from conftest import TODAY

from generator.core import pipeline
from generator.core.store import Store, store_file

DAY = datetime.timedelta(days=1)


def _run(records, as_of=TODAY, store=None):
    """Validate and evaluate with ``store`` (one opened now if not given), closed after."""
    own = store is None
    store = store or Store.open(records)
    try:
        found = pipeline.validate(records, as_of=as_of, store=store)
        return found, pipeline.evaluate(found, as_of, store=store), store
    finally:
        if own:
            store.close()


def _same(a, b) -> None:
    """Two runs found the same: findings, schools (their data) and every result."""
    (records_a, evaluation_a, _), (records_b, evaluation_b, _) = a, b
    assert records_a.findings == records_b.findings
    assert [(d.file, d.data) for d in records_a.schools] == [(d.file, d.data) for d in records_b.schools]  # fmt: skip
    assert evaluation_a.to_json() == evaluation_b.to_json()


def test_a_second_run_takes_everything_from_the_store_and_finds_the_same(records):
    plain = pipeline.validate(records, as_of=TODAY)
    first = _run(records)
    assert [d.data for d in first[0].schools] == [d.data for d in plain.schools]
    store = Store.open(records)
    second = _run(records, store=store)
    # nothing was unpacked to find the stored results (20,000 unpickled dossiers cost seconds)
    assert all(d._packed is not None for d in second[0].schools)
    _same(first, second)
    schools, districts = len(first[0].schools), len(first[0].districts)
    assert len(store.used_documents) == schools + districts and len(store.used_results) == schools
    assert {k: d.data for k, d in second[0].districts.items()} == {
        k: d.data for k, d in plain.districts.items()
    }
    # a finding's line still comes from the file when a stored document needs one
    doc = second[0].schools[0]
    assert doc.locate(("profile", "name")) == first[0].schools[0].locate(("profile", "name"))
    store.close()


def test_a_changed_file_is_checked_again(records):
    _run(records)
    path = records / "chengguan" / "cg-shiyan-xiaoxue.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("  name: ", "  name: 新", 1), "utf-8")
    found, evaluation, _ = _run(records)
    assert next(r for r in evaluation.schools if r.id == "cg-shiyan-xiaoxue").name.startswith("新")
    path.write_text(text.replace("  id: cg-shiyan-xiaoxue", "  id: 7", 1), "utf-8")
    found, _, _ = _run(records)
    assert {f.file for f in found.findings if f.severity == "error"} == {str(path)}
    assert "cg-shiyan-xiaoxue" not in {d.file for d in found.schools}


def test_an_invalid_file_is_never_kept(records):
    path = records / "chengguan" / "cg-shiyan-xiaoxue.yaml"
    path.write_text(path.read_text("utf-8").replace("  name: ", "  name: [", 1), "utf-8")
    first = _run(records)
    store = Store.open(records)
    second = _run(records, store=store)
    assert first[0].findings == second[0].findings and first[0].findings
    assert not any(str(path) == d.file for d in second[0].schools)
    store.close()


def test_a_document_valid_on_one_day_is_checked_again_for_an_earlier_day(records):
    """Validity depends on the day only through dates that may not be after today: what was
    valid on a day holds on later ones, not on earlier ones."""
    path = records / "chengguan" / "cg-shiyan-xiaoxue.yaml"
    later = datetime.date.today() + 40 * DAY
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - date: 2026-09-20\n", f"  - date: {later}\n", 1), "utf-8")
    found, _, _ = _run(records, later)  # valid as of then
    assert not found.findings
    found, _, _ = _run(records, later - DAY)
    assert {f.code for f in found.findings} == {"record.date-future"}
    found, _, _ = _run(records, later + DAY)
    assert not found.findings


def test_a_moved_file_is_checked_at_its_new_place(records):
    _run(records)
    source = records / "chengguan" / "cg-shiyan-xiaoxue.yaml"
    os.rename(source, records / "qiaobei" / source.name)
    found, _, _ = _run(records)
    assert any(f.file.endswith(f"qiaobei/{source.name}") for f in found.findings)


def test_results_are_reused_only_on_the_days_they_hold_on(records):
    _, evaluation, _ = _run(records)
    window = {r.id: (r.valid_from, r.next_change) for r in evaluation.schools}
    school, (since, until) = next((k, w) for k, w in window.items() if w[1] is not None)
    for day, reused in ((until - DAY, True), (until, False), (since, True)):
        store = Store.open(records)
        found = pipeline.validate(records, as_of=day, store=store)
        again = pipeline.evaluate(found, day, store=store)
        assert again.to_json() == pipeline.evaluate(pipeline.validate(records, as_of=day), day).to_json()  # fmt: skip
        results = next(r for r in again.schools if r.id == school)
        assert (results.valid_from, results.next_change) == (since, until) or not reused
        store.close()


def test_a_district_changing_its_rule_set_evaluates_its_schools_again(records):
    _, before, _ = _run(records)
    path = records / "chengguan" / "_district.yaml"
    text = path.read_text("utf-8")
    rule_set = next(line for line in text.splitlines() if line.startswith("rule_set:"))
    other = "rule_set: jizhou" if "jizhou" not in rule_set else "rule_set: national"
    path.write_text(text.replace(rule_set, other), "utf-8")
    _, after, _ = _run(records)
    plain = pipeline.evaluate(pipeline.validate(records, as_of=TODAY), TODAY)
    assert after.to_json() == plain.to_json() != before.to_json()


def test_other_code_empties_the_store(records, monkeypatch):
    _run(records)
    from generator.core import cache

    monkeypatch.setattr(cache, "code_digest", lambda: "another version")
    monkeypatch.setattr("generator.core.store.code_digest", lambda: "another version")
    store = Store.open(records)
    assert store.db.execute("SELECT count(*) FROM documents").fetchone() == (0,)
    assert store.db.execute("SELECT count(*) FROM results").fetchone() == (0,)
    store.close()


def test_a_damaged_result_is_evaluated_again(records):
    first = _run(records)
    store = Store.open(records)
    store.db.execute("UPDATE results SET result = ?", (b"not a pickle",))
    _same(first, _run(records, store=store))
    store.close()


def test_the_store_is_private_and_a_broken_one_is_not_used(records, tmp_path, monkeypatch):
    first = _run(records)
    assert stat.S_IMODE(store_file(records).stat().st_mode) == 0o600  # it holds private fields
    store_file(records).write_bytes(b"this is not a database" * 100)
    assert Store.open(records) is None
    monkeypatch.setenv("XIAOAN_CACHE_DIR", str(tmp_path / "a-file"))
    (tmp_path / "a-file").write_text("x")
    assert Store.open(records) is None
    found = pipeline.validate(records, as_of=TODAY, store=None)
    assert found.findings == first[0].findings


def test_a_changed_district_file_is_checked_again(records):
    _run(records)
    path = records / "chengguan" / "_district.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("id: chengguan", "id: chengguan2", 1), "utf-8")
    found, _, _ = _run(records)
    assert [f.code for f in found.findings] == ["tree.name-mismatch"]
    path.write_text(text, "utf-8")
    found, _, _ = _run(records)
    assert found.findings == [] and "chengguan" in found.districts


def test_files_gone_from_the_tree_leave_the_store(records):
    _run(records)
    (records / "chengguan" / "cg-shiyan-xiaoxue.yaml").unlink()
    store = Store.open(records)
    _run(records, store=store)
    store.forget_unused()
    kept = store.db.execute("SELECT count(*) FROM documents").fetchone()[0]
    left = pipeline.validate(records, as_of=TODAY)
    assert kept == len(store.used_documents) == len(left.schools) + len(left.districts)
    assert all(pickle.loads(r) for (r,) in store.db.execute("SELECT result FROM results"))
    store.close()
