"""Watch a document's events arrive over the WebSocket while it is processed (websockets).

FOLIO_API_KEY=fk_… python websocket_events.py invoice.pdf
"""

import asyncio
import json
import os
import sys
from pathlib import Path

import httpx
import websockets

URL = os.environ.get("FOLIO_URL", "http://127.0.0.1:8000")
AUTH = {"Authorization": f"Bearer {os.environ['FOLIO_API_KEY']}"}


async def main(name: str, content: bytes) -> None:
    async with websockets.connect(
        URL.replace("http", "ws", 1) + "/api/v1/ws", additional_headers=AUTH
    ) as socket:
        print(json.loads(await socket.recv())["type"])  # auth:success
        await socket.send(json.dumps({"type": "subscribe", "payload": {"channel": "team"}}))
        print(json.loads(await socket.recv())["type"])  # subscribed

        async with httpx.AsyncClient(base_url=URL, headers=AUTH) as folio:
            accepted = await folio.post("/api/v1/documents", files={"file": (name, content)})
        document_id = accepted.json()["id"]

        async with asyncio.timeout(120):
            while True:
                message = json.loads(await socket.recv())
                if message["type"] != "event":
                    continue
                event = message["payload"]  # the envelope: id, type, created_at, team_id, data
                if event["data"].get("document_id") != document_id:
                    continue
                print(event["type"], event["data"]["status"])
                if event["type"] in ("document.processed", "document.failed"):
                    break


path = Path(sys.argv[1] if len(sys.argv) > 1 else "invoice.pdf")
asyncio.run(main(path.name, path.read_bytes()))
