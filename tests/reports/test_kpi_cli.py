"""The commands a city runs: campaigns, importing its call distributor's records, and the
KPI report in every format. In-process through the real Typer app, on a fresh SQLite file."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from kontakt.cli import app

runner = CliRunner()

CDR = (
    (
        "call_id;direction;started_at;language;queue;topic;bot_s;bot_method;waited_s;answered;"
        "talk_s;wrap_s;agent;campaign\n"
    )
    + """c1;inbound;2021-03-01 10:00:00;pl;waste;waste;20;speech;0:45;tak;3:20;60,5;b1;
c2;inbound;2021-03-01 10:05:00+01:00;en;general;general;;;12;nie;;;;
c3;outbound;2021-03-02T09:30:00+01:00;pl;;waste;;;10;1;90;10;b2;ankieta-o-odpadach
c4;outbound;2021-03-02T09:35:00+01:00;pl;;waste;;;30;0;0;5;b2;ankieta-o-odpadach
"""
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = {
        "KONTAKT_DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}",
        "KONTAKT_VAR_DIR": str(tmp_path / "var"),
        "COLUMNS": "200",
    }
    assert kontakt(environment, "db", "upgrade").exit_code == 0
    return environment


def kontakt(env: dict[str, str], *args: str) -> Result:
    return runner.invoke(app, list(args), env=env)


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_campaigns_are_events(env: dict[str, str]) -> None:
    made = kontakt(env, "campaign", "create", "--kind", "survey", "--name", "Ankieta o odpadach")
    info = kontakt(env, "campaign", "create", "--kind", "information", "--name", "Szczepienia",
                   "--id", "szczepienia-70")  # fmt: skip
    twice = kontakt(env, "campaign", "create", "--kind", "survey", "--name", "Ankieta o odpadach")
    wrong = kontakt(env, "campaign", "create", "--kind", "poll", "--name", "Coś")
    listing = kontakt(env, "campaign", "list")
    assert made.stdout == "created campaign ankieta-o-odpadach (survey): Ankieta o odpadach\n"
    assert info.exit_code == 0
    assert one_line_error(twice) == "error: campaign 'ankieta-o-odpadach' already exists"
    assert one_line_error(wrong) == "error: campaign kind 'poll': use survey or information"
    lines = listing.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["ankieta-o-odpadach", "survey"], ["szczepienia-70", "information"],
    ]  # fmt: skip


def test_import_twice_then_report_in_every_format(env: dict[str, str], tmp_path: Path) -> None:
    kontakt(env, "campaign", "create", "--kind", "survey", "--name", "Ankieta o odpadach",
            "--ordered", "2021-02-26")  # fmt: skip
    path = tmp_path / "cdr.csv"
    path.write_text(CDR, encoding="utf-8")
    first = kontakt(env, "calls", "import", str(path))
    again = kontakt(env, "calls", "import", str(path))
    listing = kontakt(env, "campaign", "list")
    period = ("--from", "2021-02-01", "--to", "2021-03-31")
    as_json = json.loads(kontakt(env, "report", "kpi", *period, "--format", "json").stdout)
    kontakt(env, "report", "kpi", *period, "--format", "csv", "--output", str(tmp_path / "k.csv"))
    kontakt(env, "report", "kpi", *period, "--format", "xlsx", "--output", str(tmp_path / "k.xlsx"))
    kontakt(env, "report", "kpi", *period, "--format", "html", "--output", str(tmp_path / "k.html"))

    assert first.stdout.startswith("imported 4 calls, joined 0 to live voicebot calls, skipped 0")
    assert again.stdout.startswith("imported 0 calls, joined 0 to live voicebot calls, skipped 4")
    assert "2 calls" in listing.stdout
    # c1: 200 s talk + 60.5 s wrap-up, answered after 45 s; c2 hung up after 12 s;
    # c3: 90 s talk + 10 s; c4: not picked up, 5 s wrap-up.
    assert {k: as_json[k] for k in (
        "calls_total", "calls_incoming", "calls_outgoing", "calls_answered", "efficiency",
        "aht_incoming_s", "aht_outgoing_s", "handled_time_total_s", "asa_s", "surveys",
    )} == {
        "calls_total": 4, "calls_incoming": 2, "calls_outgoing": 2, "calls_answered": 1,
        "efficiency": 0.5, "aht_incoming_s": 260.5, "aht_outgoing_s": 52.5,
        "handled_time_total_s": 290.0, "asa_s": 45.0, "surveys": 1,
    }  # fmt: skip
    assert as_json["voicebot"] == {"identified_speech": 1, "transferred": 1, "self_served": 0}
    rows = list(csv.reader(io.StringIO((tmp_path / "k.csv").read_text(encoding="utf-8"))))
    assert rows[0] == ["section", "label", "column", "value", "number"]
    assert rows[5:9] == [
        ["kpi", "Połączenia przychodzące", "", "2", "2"],
        ["kpi", "Połączenia wychodzące", "", "2", "2"],
        ["kpi", "Połączenia odebrane", "", "1", "1"],
        ["kpi", "Efektywność obsługi", "", "50,00%", "0.5"],
    ]
    sheet = load_workbook(tmp_path / "k.xlsx").active
    assert [c.value for c in sheet[10]] == [
        "Średni czas obsługi klientów – połączenia przychodzące",
        timedelta(seconds=261),  # 260.5 s, a duration cell
        "04:21",
    ]
    page = (tmp_path / "k.html").read_text(encoding="utf-8")
    assert "Łączny czas obsługi połączeń odebranych" in page and "<svg" in page


def test_the_read_model_rebuilt_and_the_log_itself_give_the_same_report(
    env: dict[str, str], tmp_path: Path
) -> None:
    kontakt(env, "campaign", "create", "--kind", "survey", "--name", "Ankieta o odpadach")
    path = tmp_path / "cdr.csv"
    path.write_text(CDR, encoding="utf-8")
    assert kontakt(env, "calls", "import", str(path)).exit_code == 0
    period = ("report", "kpi", "--from", "2021-02-01", "--to", "2021-03-31", "--format", "json")
    kept = json.loads(kontakt(env, *period).stdout)
    rebuilt = kontakt(env, "report", "rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert rebuilt.stdout.startswith("kpi_facts rebuilt from the events: ")
    assert int(rebuilt.stdout.split(": ")[1].split()[0].replace(",", "")) > 0
    assert json.loads(kontakt(env, *period).stdout) == kept
    assert json.loads(kontakt(env, *period, "--from-events").stdout) == kept
    assert kept["calls_total"] == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2021-13-01", "--to", "2021-12-31"),
         "error: --from: '2021-13-01' is not a date; use YYYY-MM-DD"),
        (("--from", "2021-01-01", "--to", "31.12.2021"),
         "error: --to: '31.12.2021' is not a date; use YYYY-MM-DD"),
        (("--from", "2021-02-01", "--to", "2021-01-01"),
         "error: --to: the last day is before the first"),
        (("--from", "2021-01-01", "--to", "2021-12-31", "--format", "pdf"),
         "error: --format: 'pdf'; use one of text, html, csv, xlsx, json"),
        (("--from", "2021-01-01", "--to", "2021-12-31", "--format", "xlsx"),
         "error: --format xlsx writes a binary file: give --output FILE.xlsx"),
    ],
)  # fmt: skip
def test_bad_report_arguments_are_one_line(args: tuple[str, ...], message: str) -> None:
    result = runner.invoke(app, ["report", "kpi", *args])
    assert one_line_error(result) == message


def test_import_stops_at_the_first_bad_line(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(CDR.replace("0:45", "soon"), encoding="utf-8")
    result = kontakt(env, "calls", "import", str(path))
    unknown = tmp_path / "campaign.csv"
    unknown.write_text(CDR, encoding="utf-8")  # no campaign created yet
    missing = kontakt(env, "calls", "import", str(unknown))
    report = json.loads(
        kontakt(env, "report", "kpi", "--from", "2021-03-01", "--to", "2021-03-31",
                "--format", "json").stdout
    )  # fmt: skip
    assert one_line_error(result) == (
        f"error: {path}:2: column 'waited_s': 'soon' is not a number of seconds or [h:]mm:ss"
    )
    assert one_line_error(missing) == (
        f"error: {unknown}: call c3: no campaign 'ankieta-o-odpadach'; create it first: "
        "kontakt campaign create"
    )
    assert report["calls_total"] == 0  # all or nothing
