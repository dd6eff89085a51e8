"""SCIM ``sortBy``/``sortOrder`` (RFC 7644 §3.4.2.3) and versions (§3.14: ``meta.version``,
``ETag``, ``If-Match`` → 412, ``If-None-Match`` → 304) against the real app and database."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.directory.conftest import Owner
from tests.directory.test_scim import PATCH, USER, assert_scim_error, scim_client

SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
PEOPLE = [("carol", "carol@example.com"), ("Alice", "zed@example.com"), ("bob", "ann@example.com")]


@pytest.fixture
async def scim(app: FastAPI, owner: Owner) -> Any:
    async with await scim_client(app, owner) as http:
        yield http


async def provisioned(scim: httpx.AsyncClient) -> list[dict[str, Any]]:
    made = []
    for user_name, email in PEOPLE:
        body = {"schemas": [USER], "userName": user_name, "emails": [{"value": email}]}
        response = await scim.post("/scim/v2/Users", json=body)
        assert response.status_code == 201, response.text
        made.append(response.json())
    return made


async def user_names(scim: httpx.AsyncClient, **params: str) -> list[str]:
    response = await scim.get("/scim/v2/Users", params=params)
    assert response.status_code == 200, response.text
    return [r["userName"] for r in response.json()["Resources"]]


def rename(name: str) -> dict[str, Any]:
    return {
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": "displayName", "value": name}],
    }


class TestSort:
    async def test_users_sort_by_an_attribute_in_either_order(
        self, scim: httpx.AsyncClient
    ) -> None:
        await provisioned(scim)
        assert await user_names(scim, sortBy="userName") == ["Alice", "bob", "carol"]
        descending = await user_names(scim, sortBy="userName", sortOrder="descending")
        assert descending == ["carol", "bob", "Alice"]
        by_email = await user_names(scim, sortBy="emails.value")
        assert by_email == ["bob", "carol", "Alice"]
        with_urn = await user_names(scim, sortBy=f"{USER}:userName", sortOrder="DESCENDING")
        assert with_urn == descending
        newest_first = await user_names(scim, sortBy="meta.created", sortOrder="descending")
        assert newest_first == ["bob", "Alice", "carol"]
        page = await user_names(scim, sortBy="userName", startIndex="2", count="1")
        assert page == ["bob"]

    async def test_search_sorts_and_groups_sort_by_name(self, scim: httpx.AsyncClient) -> None:
        await provisioned(scim)
        body = {"schemas": [SEARCH], "sortBy": "userName", "sortOrder": "descending"}
        searched = await scim.post("/scim/v2/Users/.search", json=body)
        groups = await scim.get(
            "/scim/v2/Groups", params={"sortBy": "displayName", "sortOrder": "descending"}
        )

        assert [r["userName"] for r in searched.json()["Resources"]] == ["carol", "bob", "Alice"]
        assert [g["id"] for g in groups.json()["Resources"]] == ["viewer", "member", "admin"]

    async def test_bad_sort_parameters_are_scim_400s(self, scim: httpx.AsyncClient) -> None:
        wrong_order = await scim.get(
            "/scim/v2/Users", params={"sortBy": "userName", "sortOrder": "up"}
        )
        unknown = await scim.get("/scim/v2/Users", params={"sortBy": "password"})
        group_unknown = await scim.get("/scim/v2/Groups", params={"sortBy": "members"})

        assert_scim_error(wrong_order, 400, "invalidValue")
        assert_scim_error(unknown, 400, "invalidPath")
        assert_scim_error(group_unknown, 400, "invalidPath")


class TestVersions:
    async def test_a_read_carries_its_version_and_an_unchanged_one_is_304(
        self, scim: httpx.AsyncClient
    ) -> None:
        [user, *_] = await provisioned(scim)
        read = await scim.get(f"/scim/v2/Users/{user['id']}")
        version = read.json()["meta"]["version"]
        unchanged = await scim.get(
            f"/scim/v2/Users/{user['id']}", headers={"If-None-Match": version}
        )
        listed = await scim.get("/scim/v2/Users", params={"filter": 'userName eq "carol"'})
        other = await scim.get(
            f"/scim/v2/Users/{user['id']}", headers={"If-None-Match": 'W/"else"'}
        )

        assert version.startswith('W/"') and read.headers["etag"] == version
        assert user["meta"]["version"] == version  # the create answered it too
        assert unchanged.status_code == 304 and unchanged.content == b""
        assert listed.json()["Resources"][0]["meta"]["version"] == version
        assert other.status_code == 200

    async def test_a_stale_if_match_is_412_and_changes_nothing(
        self, scim: httpx.AsyncClient
    ) -> None:
        [user, *_] = await provisioned(scim)
        url = f"/scim/v2/Users/{user['id']}"
        first = user["meta"]["version"]
        renamed = await scim.patch(url, json=rename("Carol One"), headers={"If-Match": first})
        stale_patch = await scim.patch(url, json=rename("Carol Two"), headers={"If-Match": first})
        replace = {
            "schemas": [USER],
            "userName": "carol",
            "displayName": "Carol Three",
            "emails": [{"value": "carol@example.com"}],
        }
        stale_put = await scim.put(url, json=replace, headers={"If-Match": first})
        stale_delete = await scim.delete(url, headers={"If-Match": first})
        after = await scim.get(url)

        assert renamed.status_code == 200, renamed.text
        assert renamed.headers["etag"] != first
        for stale in (stale_patch, stale_put, stale_delete):
            assert_scim_error(stale, 412)
        assert after.json()["displayName"] == "Carol One"
        assert after.json()["meta"]["version"] == renamed.headers["etag"]

        current = renamed.headers["etag"]
        also_current = f'W/"nope", {current}'
        replaced = await scim.put(url, json=replace, headers={"If-Match": also_current})
        anything = await scim.patch(url, json=rename("Carol Four"), headers={"If-Match": "*"})
        deleted = await scim.delete(url, headers={"If-Match": anything.headers["etag"]})
        assert replaced.status_code == 200 and replaced.json()["displayName"] == "Carol Three"
        assert anything.status_code == 200
        assert deleted.status_code == 204
        assert_scim_error(await scim.get(url), 404)

    async def test_a_group_write_with_a_stale_version_is_412(
        self, scim: httpx.AsyncClient, owner: Owner
    ) -> None:
        [user, *_] = await provisioned(scim)
        before = (await scim.get("/scim/v2/Groups/admin")).headers["etag"]
        add = {
            "schemas": [PATCH],
            "Operations": [{"op": "add", "path": "members", "value": [{"value": user["id"]}]}],
        }
        added = await scim.patch("/scim/v2/Groups/admin", json=add, headers={"If-Match": before})
        remove = {"schemas": [PATCH], "Operations": [{"op": "remove", "path": "members"}]}
        stale = await scim.patch("/scim/v2/Groups/admin", json=remove, headers={"If-Match": before})
        members = (await scim.get("/scim/v2/Groups/admin")).json()["members"]

        assert added.status_code == 200 and added.headers["etag"] != before
        assert_scim_error(stale, 412)
        assert [m["value"] for m in members] == [user["id"]]

    async def test_another_teams_token_gets_404_not_412(
        self, app: FastAPI, scim: httpx.AsyncClient, other_owner: Owner
    ) -> None:
        [user, *_] = await provisioned(scim)
        url = f"/scim/v2/Users/{user['id']}"
        async with await scim_client(app, other_owner) as other:
            for version in (user["meta"]["version"], 'W/"stale"'):
                patched = await other.patch(url, json=rename("x"), headers={"If-Match": version})
                deleted = await other.delete(url, headers={"If-Match": version})
                assert_scim_error(patched, 404)
                assert_scim_error(deleted, 404)
        assert (await scim.get(url)).json()["meta"]["version"] == user["meta"]["version"]

    async def test_the_service_provider_config_advertises_both(
        self, scim: httpx.AsyncClient
    ) -> None:
        config = (await scim.get("/scim/v2/ServiceProviderConfig")).json()
        assert config["sort"] == {"supported": True}
        assert config["etag"] == {"supported": True}
