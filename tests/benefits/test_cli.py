"""``kontakt benefits`` as staff run it: a subprocess with its own environment."""

from __future__ import annotations

from pathlib import Path

from tests.benefits.helpers import ANNA, SAMPLE, csv_bytes
from tests.test_cli import kontakt

CLOCK = {"KONTAKT_CLOCK_START": "2026-11-25T10:00+01:00"}


def test_import_check_and_replace(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    assert kontakt("db", "upgrade", db=db, cwd=tmp_path).returncode == 0
    imported = kontakt("benefits", "import", str(SAMPLE), db=db, cwd=tmp_path)
    check = kontakt("benefits", "check", ANNA[1], ANNA[0], db=db, cwd=tmp_path, env=CLOCK)
    other = kontakt("benefits", "check", "90072145628", ANNA[0], db=db, cwd=tmp_path, env=CLOCK)
    new = tmp_path / "new.csv"
    new.write_bytes(csv_bytes(("ŚW/0909/2027", ANNA[1], "świadczenie wychowawcze 800+",
                               "15.02.2027")))  # fmt: skip
    replaced = kontakt("benefits", "import", "--replace", str(new), db=db, cwd=tmp_path)
    keyed = kontakt("benefits", "check", ANNA[1], "09092027", "--lang", "uk", db=db,
                    cwd=tmp_path, env=CLOCK)  # fmt: skip
    assert imported.stdout.strip() == "added 9 payments (0 were already in the schedule)"
    assert check.stdout.strip().splitlines() == [
        "next payment: 2026-12-15  świadczenie wychowawcze 800+",
        "spoken (pl): piętnastego grudnia dwa tysiące dwudziestego szóstego roku",
    ]
    assert (other.returncode, other.stdout.strip()) == (
        1,
        "no payment for this case number and PESEL",
    )
    assert replaced.stdout.strip() == "replaced the schedule: 9 payments out, 1 in"
    assert keyed.stdout.strip().splitlines() == [
        "next payment: 2027-02-15  świadczenie wychowawcze 800+",
        "spoken (uk): п'ятнадцятого лютого дві тисячі двадцять сьомого року",
    ]


def test_errors_are_one_line_exit_2_and_import_nothing(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    kontakt("db", "upgrade", db=db, cwd=tmp_path)
    bad = tmp_path / "bad.csv"
    good_line = ("ŚW/1/2026", ANNA[1], "zasiłek rodzinny", "2026-12-15")
    bad_line = ("ŚW/2/2026", "85031412348", "zasiłek rodzinny", "2026-12-15")
    bad.write_bytes(csv_bytes(good_line, bad_line))
    results = [
        kontakt("benefits", "import", str(bad), db=db, cwd=tmp_path),
        kontakt("benefits", "import", str(tmp_path / "missing.csv"), db=db, cwd=tmp_path),
        kontakt("benefits", "check", "85031412348", "ŚW/1/2026", db=db, cwd=tmp_path),
    ]
    after = kontakt("benefits", "check", ANNA[1], "ŚW/1/2026", db=db, cwd=tmp_path, env=CLOCK)
    assert [(r.returncode, r.stderr.strip().splitlines()) for r in results] == [
        (2, [f"error: {bad}: line 3: the PESEL has a wrong check digit"]),
        (2, [f"error: {tmp_path / 'missing.csv'}: No such file or directory"]),
        (2, ["error: the PESEL has a wrong check digit"]),
    ]
    assert after.returncode == 1  # the good first line was not imported either
