"""The models against the real bank log in ../shared/data/callcenter."""

from __future__ import annotations

from pathlib import Path

import pytest

from kontakt.capacity import bank
from kontakt.capacity.bank_agents import distinct_servers, presence
from kontakt.capacity.validation import validate

DATA = Path(__file__).parents[3] / "shared/data/callcenter"


@pytest.fixture(scope="module")
def log() -> bank.CallLog:
    return bank.load(DATA)


def test_the_log_reads_as_its_readme_summarises_it(log: bank.CallLog) -> None:
    assert DATA.is_dir()
    assert len(log.dates) == 28
    assert (log.dropped_phantom, log.dropped_before_queue) == (278, 1941)
    served = log.answered
    # README: mean wait of served calls 40.8 s, 59.7 % of them within 20 s.
    assert log.wait[served].mean() == pytest.approx(40.8, abs=0.05)
    assert (log.wait[served] <= 20).mean() == pytest.approx(0.597, abs=0.0005)


def test_presence_never_exceeds_the_distinct_servers(log: bank.CallLog) -> None:
    seen, present = distinct_servers(log), presence(log)
    assert all(present[c] <= seen.get(c, 0) + 1e-9 for c in present)
    assert sum(present.values()) < 0.9 * sum(seen.values())


def test_validation_compares_every_busy_hour_for_every_model(log: bank.CallLog) -> None:
    v = validate(log, staffing="presence", replications=1, seed=3)
    hours = [r.hour for r in v.rows]
    assert hours == list(range(7, 24))  # the hours with ≥ 300 calls in the month
    assert v.total.calls == len(log.arrival)
    observed = v.total.figures["observed"]
    assert observed.abandon == pytest.approx((~log.answered).mean())
    # Erlang-C has no abandonment by construction; the models with patience do.
    assert all(r.figures["erlang_c"].abandon == 0 for r in v.rows)
    assert v.errors["sim"].abandon_mae_pts < v.errors["erlang_c"].abandon_mae_pts
    assert v.errors["erlang_a"].abandon_mae_pts < v.errors["erlang_c"].abandon_mae_pts
    # Regression guard on the documented figures (docs/validation.md): sim within 5 points.
    assert v.errors["sim"].abandon_mae_pts < 5.0


def test_a_malformed_row_is_named_by_file_and_line(tmp_path: Path) -> None:
    text = (DATA / bank.FILE_NAME).read_text(encoding="utf-8").splitlines()[:4]
    text[3] = text[3].replace("\t", " ", 1)
    bad = tmp_path / bank.FILE_NAME
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(bank.DataError, match=rf"{bank.FILE_NAME}:4: want 17 tab-separated"):
        bank.load(tmp_path)
