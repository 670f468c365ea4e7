"""Against the live demo gateway, as a generic JSON-RPC client sees it: plain HTTP with httpx, no metaapi_client.

Generic clients match an answer to its call by id and report anything else as a bad response, so refusals must
carry the request's id; they spell the auth scheme as they like and may send `params: []`.
"""

from __future__ import annotations

import json

import httpx
from conftest import Demo


def post(demo: Demo, body: str, authorization: str | None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if authorization is not None:
        headers["authorization"] = authorization
    with httpx.Client(trust_env=False) as http:
        return http.post(f"{demo.url}/rpc", content=body, headers=headers)


def test_an_auth_refusal_answers_with_the_request_id(demo: Demo) -> None:
    body = json.dumps({"jsonrpc": "2.0", "id": "generic-1", "method": "ping", "params": {}})
    response = post(demo, body, "Bearer mat_" + "0" * 40)
    assert response.status_code == 401
    answer = response.json()
    assert answer["id"] == "generic-1"
    assert answer["error"]["data"]["kind"] == "token_unknown"
    response = post(demo, body, None)
    assert (response.status_code, response.json()["id"]) == (401, "generic-1")


def test_any_case_of_the_bearer_scheme_and_an_empty_params_array_work(demo: Demo) -> None:
    for scheme in ("bearer", "BEARER", "Bearer"):
        body = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "ping", "params": []})
        response = post(demo, body, f"{scheme} {demo.token}")
        assert response.status_code == 200, response.text
        assert response.json() == {"jsonrpc": "2.0", "id": 7, "result": response.json()["result"]}
        assert response.json()["result"]["pong"] is True


def test_an_id_beyond_64_bits_comes_back_exactly(demo: Demo) -> None:
    big = 12345678901234567890123456789
    body = json.dumps({"jsonrpc": "2.0", "id": big, "method": "ping"})
    response = post(demo, body, f"Bearer {demo.token}")
    assert response.status_code == 200, response.text
    assert response.json()["id"] == big
