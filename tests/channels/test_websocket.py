"""The chat WebSocket over a real socket, with a real WebSocket client."""

from __future__ import annotations

import json

import httpx
from websockets.sync.client import connect


def test_websocket_answers_and_reports_errors_without_closing(live_server: str) -> None:
    cid = httpx.post(f"{live_server}/api/v1/conversations", json={"language": "pl"}).json()["id"]
    url = live_server.replace("http://", "ws://") + f"/api/v1/conversations/{cid}/ws"
    with connect(url) as ws:
        ws.send(json.dumps({"text": "jak zameldować się w Poznaniu"}))
        answer = json.loads(ws.recv(timeout=30))
        ws.send("{not json")
        broken = json.loads(ws.recv(timeout=30))
        ws.send(json.dumps({"text": ""}))
        empty = json.loads(ws.recv(timeout=30))
        ws.send(json.dumps({"text": "коли вивозять сміття?"}))
        second = json.loads(ws.recv(timeout=30))
    assert (answer["type"], answer["article_id"]) == ("answer", "zameldowanie")
    assert (broken["type"], broken["status"]) == ("error", 422)
    assert (empty["type"], empty["status"]) == ("error", 422)
    assert (second["language"], second["topic"]) == ("uk", "waste")


def test_websocket_for_unknown_conversation_is_closed_with_a_reason(live_server: str) -> None:
    url = live_server.replace("http://", "ws://") + (
        "/api/v1/conversations/1b4e28ba-2fa1-11d2-883f-0016d3cca427/ws"
    )
    with connect(url) as ws:
        message = json.loads(ws.recv(timeout=30))
    assert (message["type"], message["status"]) == ("error", 404)
