"""/reports over HTTP: supervisors only, one context as HTML, CSV, XLSX and JSON."""

from __future__ import annotations

import io
import re

import httpx
import pytest
from openpyxl import load_workbook

from kontakt.demo.year import generate_year
from kontakt.runtime import Runtime
from kontakt.users.service import create_user

PASSWORD = "poprawne-haslo-42"
YEAR = "from=2021-01-01&to=2021-12-31"


async def login(client: httpx.AsyncClient, username: str) -> None:
    page = await client.get("/admin/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    form = {"username": username, "password": PASSWORD, "csrf": token.group(1)}
    assert (await client.post("/admin/login", data=form)).status_code == 303


@pytest.fixture
async def staff(sqlite_runtime: Runtime) -> None:
    async with sqlite_runtime.transaction() as session:
        for name, role in (("szefowa", "supervisor"), ("ala", "agent")):
            await create_user(session, name, PASSWORD, role, actor="t", clock=sqlite_runtime.clock)
    await generate_year(sqlite_runtime, year=2021, scale=0.001, seed=3)


async def test_supervisor_gets_one_report_in_four_formats(
    client: httpx.AsyncClient, staff: None
) -> None:
    await login(client, "szefowa")
    page = await client.get(f"/reports?{YEAR}", headers={"accept": "text/html"})
    data = (await client.get(f"/reports/kpi.json?{YEAR}")).json()
    table = await client.get(f"/reports/kpi.csv?{YEAR}")
    sheet = await client.get(f"/reports/kpi.xlsx?{YEAR}")
    english = await client.get(f"/reports?{YEAR}&lang=en")

    assert page.status_code == 200
    incoming = f"{data['calls_incoming']:,}".replace(",", " ")
    assert re.search(
        r'data-key="calls_incoming"><th scope="row">Połączenia przychodzące</th>'
        rf'<td class="num">{incoming}</td>', page.text
    )  # fmt: skip
    assert page.text.count("<svg") == 4
    assert table.headers["content-disposition"] == (
        'attachment; filename="kpi-2021-01-01-2021-12-31.csv"'
    )
    assert f"kpi,Połączenia przychodzące,,{incoming},{data['calls_incoming']}" in table.text
    book = load_workbook(io.BytesIO(sheet.content))
    assert book.sheetnames == [
        "KPI", "months", "hours", "topics", "languages", "channels", "chatbot", "bookings",
    ]  # fmt: skip
    assert book["KPI"]["B6"].value == data["calls_incoming"]
    assert "Incoming calls" in english.text and 'lang="en"' in english.text


async def test_only_supervisors_and_valid_dates(client: httpx.AsyncClient, staff: None) -> None:
    anonymous = await client.get(f"/reports/kpi.json?{YEAR}")
    browser = await client.get("/reports", headers={"accept": "text/html"})
    await login(client, "ala")
    agent = await client.get(f"/reports/kpi.json?{YEAR}")
    client.cookies.clear()
    await login(client, "szefowa")
    bad = await client.get("/reports/kpi.json?from=2021-02-30&to=2021-12-31")
    assert (anonymous.status_code, anonymous.headers["content-type"]) == (
        401, "application/problem+json",
    )  # fmt: skip
    assert (browser.status_code, browser.headers["location"]) == (
        303, "/admin/login?next=/reports",
    )  # fmt: skip
    assert agent.status_code == 403
    assert bad.status_code == 422
    assert bad.json()["detail"] == "from: '2021-02-30' is not a date; use YYYY-MM-DD"
