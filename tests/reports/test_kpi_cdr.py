"""Call records: what a distributor's CSV may look like, and the events a record implies."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from kontakt.calls.cdr import CdrError, parse_cdr
from kontakt.calls.events import CallStarted, CallTransferred
from kontakt.calls.importer import import_records
from kontakt.calls.records import CallRecord, events_for
from kontakt.events import read, record
from kontakt.runtime import Runtime

HEADER = "call_id,direction,started_at,queue,waited_s,answered,talk_s,wrap_s,campaign\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "x.csv: empty file; the first line names the columns"),
        ("call_id,direction,started,queue\n",
         "x.csv:1: unknown column 'started' (see docs/calls.md)"),
        ("call_id,direction\n", "x.csv:1: missing column 'started_at'"),
        (HEADER + "a,inbound,2021-03-01 10:00,general,5,maybe,,,\n",
         "x.csv:2: column 'answered': 'maybe' is not yes/no (1/0, true/false, tak/nie)"),
        (HEADER + "a,inbound,1 March,general,5,1,10,2,\n",
         "x.csv:2: column 'started_at': '1 March' is not a date and time like "
         "2021-03-01T08:15:00+01:00"),
        (HEADER + "a,sideways,2021-03-01 10:00,general,5,1,10,2,\n",
         "x.csv:2: direction: 'sideways' is not inbound or outbound"),
        (HEADER + "a,outbound,2021-03-01 10:00,,5,1,10,2,\n",
         "x.csv:2: campaign: an outbound call belongs to a campaign"),
        (HEADER + "a,inbound,2021-03-01 10:00,general,-5,1,10,2,\n",
         "x.csv:2: waited_s: -5.0 is not between 0 and 86400 seconds"),
        (HEADER + "a,inbound,2021-03-01 10:00,general,5,0,10,0,\n",
         "x.csv:2: talk_s: an unanswered call has no talk time"),
        (HEADER + "a,inbound,2021-03-01 10:00,general,5,1,10,2\n",
         "x.csv:2: fewer fields than columns"),
        (HEADER + "a,inbound,2021-03-01 10:00,general,5,1,10,2,,x\n",
         "x.csv:2: more fields than columns"),
        (HEADER + "a,inbound,2021-03-01 10:00,general,5,1,10,2,\n"
         "a,inbound,2021-03-01 10:01,general,5,1,10,2,\n",
         "x.csv:3: call_id 'a' is also on line 2"),
    ],
)  # fmt: skip
def test_malformed_exports_name_file_line_and_column(text: str, message: str) -> None:
    with pytest.raises(CdrError) as caught:
        parse_cdr(text, "x.csv")
    assert str(caught.value) == message


def test_polish_spreadsheet_export() -> None:
    """Semicolons, a decimal comma, [h:]mm:ss durations and local time without an offset."""
    text = "call_id;direction;started_at;queue;waited_s;answered;talk_s;wrap_s\n"
    text += "a;inbound;2021-07-01 10:00:00;general;1:05;tak;1:02:03;12,5\n"
    [record] = parse_cdr(text)
    assert record.started_at == datetime(2021, 7, 1, 8, 0, tzinfo=UTC)  # CEST
    assert (record.waited_s, record.talk_s, record.wrap_s, record.answered) == (
        65.0, 3723.0, 12.5, True,
    )  # fmt: skip


def test_a_voicebot_call_implies_the_voicebot_and_the_desk_events() -> None:
    start = datetime(2021, 3, 1, 9, 0, tzinfo=UTC)
    record = CallRecord("x", "inbound", start, queue="waste", topic="waste", bot_s=20,
                        bot_method="keypad", waited_s=30, answered=True, talk_s=100, wrap_s=50,
                        agent="b1")  # fmt: skip
    full = [(t.event.kind, (t.at - start).total_seconds()) for t in events_for(record)]
    joined = [t.event.kind for t in events_for(record, bot_recorded=True)]
    assert full == [
        ("call_started", 0), ("topic_identified", 20), ("call_transferred", 20),
        ("contact_offered", 20), ("contact_answered", 50), ("call_ended", 150),
        ("contact_completed", 200),
    ]  # fmt: skip
    assert joined == ["contact_offered", "contact_answered", "contact_completed"]


async def test_import_joins_live_voicebot_calls_and_skips_repeats(runtime: Runtime) -> None:
    """The voicebot recorded its part of call "sip-1" live; the distributor's record adds
    the queue part under the same conversation, and a second import adds nothing."""
    live = uuid.uuid4()
    start = datetime(2021, 3, 1, 9, 0, tzinfo=UTC)
    async with runtime.transaction() as session:
        await record(session, CallStarted("sip-1"), at=start, conversation_id=live)
        await record(session, CallTransferred("sip-1", "waste", "sip:waste@pbx"), at=start,
                     conversation_id=live)  # fmt: skip
    records = [
        CallRecord("sip-1", "inbound", start, queue="waste", topic="waste", bot_s=15,
                   bot_method="speech", waited_s=20, answered=True, talk_s=60, wrap_s=30),
        CallRecord("pbx-2", "inbound", start, queue="general", waited_s=40),
    ]  # fmt: skip
    async with runtime.transaction() as session:
        first = await import_records(session, records)
    async with runtime.transaction() as session:
        second = await import_records(session, records)
        joined = await read(session, conversation_id=live)
    assert (first.imported, first.joined_live, first.skipped) == (1, 1, 0)
    assert (second.imported, second.joined_live, second.skipped) == (0, 0, 2)
    assert [row.kind for row in joined] == [
        "call_started", "call_transferred", "contact_offered", "contact_answered",
        "contact_completed",
    ]  # fmt: skip
