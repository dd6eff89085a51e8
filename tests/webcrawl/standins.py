"""Local stand-ins for the Openverse and Wikimedia Commons APIs: they check the query the
real APIs expect and answer with responses recorded in the APIs' real format."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

RECORDED = Path(__file__).with_name("recorded")


class SearchStandIn:
    def __init__(self, images_base_url: str) -> None:
        self.images = images_base_url
        self.requests: list[tuple[str, dict[str, str]]] = []

    def recorded(self, name: str) -> dict:
        text = (RECORDED / name).read_text().replace("{images}", self.images)
        return json.loads(text)

    async def openverse(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.requests.append(("openverse", params))
        if params.get("q") == "cat" and params.get("page") == "1":
            return JSONResponse(self.recorded("openverse_images_cat_page1.json"))
        if params.get("q") == "broken":
            return JSONResponse({"detail": "Internal Server Error"}, status_code=500)
        return JSONResponse(
            {
                "result_count": 0,
                "page_count": 0,
                "page_size": 20,
                "page": 1,
                "results": [],
                "warnings": [],
            }
        )

    async def commons(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.requests.append(("wikimedia", params))
        expected = {
            "action": "query",
            "generator": "search",
            "gsrnamespace": "6",
            "prop": "imageinfo",
            "format": "json",
            "formatversion": "2",
        }
        if any(params.get(k) != v for k, v in expected.items()):
            return JSONResponse({"error": {"code": "badparams", "info": "unexpected query"}})
        if params["gsrsearch"].endswith("cat") and params.get("gsroffset") == "0":
            return JSONResponse(self.recorded("commons_search_cat_offset0.json"))
        return JSONResponse({"batchcomplete": True})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/images/", self.openverse),
                Route("/w/api.php", self.commons),
            ]
        )
