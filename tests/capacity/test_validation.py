"""The models against the real bank log in ../shared/data/callcenter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kontakt.capacity import bank, bank_routing
from kontakt.capacity.bank_agents import distinct_servers, presence
from kontakt.capacity.validation import holdout, validate

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


def test_only_calls_that_queued_carry_a_meaningful_priority(log: bank.CallLog) -> None:
    # 13,067 calls reached a free agent straight from the voice-response unit; every
    # hang-up kept entered the queue. Almost all direct calls are labelled priority 0.
    assert int((~log.queued).sum()) == 13_067
    assert not (~log.answered & ~log.queued).any()
    assert (log.priority[~log.queued] == 0).mean() > 0.96
    assert (log.priority[log.queued] == 0).mean() < 0.3


def test_the_switch_gave_each_priority_level_a_head_start_of_about_90_s(
    log: bank.CallLog,
) -> None:
    first = np.arange(len(log.dates)) < 14
    fits = [bank_routing.fit(log, days) for days in (None, first, ~first)]
    # The same head starts from the whole month and from either half of it.
    assert [r.head_starts_s for r in fits] == [(0.0, 95.0, 185.0)] * 3
    assert all(r.agreement > 0.85 for r in fits)
    # Higher priority, more patient: the classes must not share one patience curve.
    means = [curve.mean for curve in fits[0].patience]
    assert means[0] < means[1] < means[2]
    assert sum(fits[0].mix) == pytest.approx(1.0)


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
    # Per class, the queued callers: the observed counts are the log's own.
    seen = v.classes["observed"]
    waited = ((log.wait > 0) | ~log.answered) & log.queued
    assert sum(c.queued for c in seen) == int(waited.sum())
    assert [c.abandon for c in seen] == sorted((c.abandon for c in seen), reverse=True)


def test_the_pooled_callers_are_the_model_before_the_classes(log: bank.CallLog) -> None:
    v = validate(log, staffing="presence", replications=1, seed=3, callers="pooled")
    assert v.patience_km_s == (pytest.approx(380.06, abs=0.01),)
    assert v.head_starts_s == (0.0,) and not v.classes


def test_the_held_out_check_fits_on_one_half_and_checks_on_the_other(
    log: bank.CallLog,
) -> None:
    checks = holdout(log, staffing="presence", replications=1, seed=3)
    assert [(c.fit, c.check) for c in checks] == [
        ("Feb 1–14", "Feb 1–14"), ("Feb 15–28", "Feb 1–14"),
        ("Feb 15–28", "Feb 15–28"), ("Feb 1–14", "Feb 15–28"),
    ]  # fmt: skip
    assert all(c.validation.days == (14, 14) for c in checks)
    first = checks[0].validation.total.calls
    assert first + checks[2].validation.total.calls == len(log.arrival)
    # What the check compares does not depend on where the estimates came from.
    assert checks[1].validation.total.calls == first
    assert checks[1].validation.patience_exp_s != checks[0].validation.patience_exp_s


def test_a_malformed_row_is_named_by_file_and_line(tmp_path: Path) -> None:
    text = (DATA / bank.FILE_NAME).read_text(encoding="utf-8").splitlines()[:4]
    text[3] = text[3].replace("\t", " ", 1)
    bad = tmp_path / bank.FILE_NAME
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(bank.DataError, match=rf"{bank.FILE_NAME}:4: want 17 tab-separated"):
        bank.load(tmp_path)
