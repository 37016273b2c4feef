"""No client mistake on the app port gets a 500 or kills the server: odd bodies, types
and ids sent to every public API route get 4xx JSON answers."""
import itertools
import random

import pytest

from apps.test_public_api import PEOPLE, add, ok, unique

ODD_VALUES = [None, True, 0, -1, 1e308, "", "x" * 300, [], [1, "a", None], {}, {"$gt": 1}, {"a": {"b": [1]}}, "\u0000", "é\ud7ff"]


def bodies(rng, keys):
    """JSON objects whose known keys hold odd values, plus some that are not objects."""
    yield from ([], "text", 5, None)
    for _ in range(30):
        yield {key: rng.choice(ODD_VALUES) for key in rng.sample(keys, rng.randint(1, len(keys)))}


def check(response):
    assert response.status_code < 500, (response.request.method, response.request.url, response.request.body, response.text)
    if response.status_code >= 400:
        body = response.json()
        assert body["status"] == response.status_code and isinstance(body["message"], str)


def test_odd_bodies_never_cause_server_errors(api, app_server):
    rng = random.Random(7)
    app = ok(api.post("/applications", json={"name": unique("Odd")}))["data"]
    api.using(app["_id"])
    table = ok(api.post("/tables", json={"name": "People", "primaryDisplay": "name", "schema": PEOPLE}))["data"]
    row = add(api, table, name="Ann")
    rows = f"/tables/{table['_id']}/rows"
    routes = [
        ("POST", "/applications", ["name", "url"]),
        ("PUT", f"/applications/{app['_id']}", ["name", "url"]),
        ("POST", "/applications/search", ["name"]),
        ("POST", "/tables", ["name", "schema", "primaryDisplay"]),
        ("PUT", f"/tables/{table['_id']}", ["name", "schema", "_rename"]),
        ("POST", "/tables/search", ["name"]),
        ("POST", rows, list(PEOPLE) + ["_id", "_rev", "tableId"]),
        ("PUT", f"{rows}/{row['_id']}", list(PEOPLE) + ["_rev", "_id"]),
        ("POST", f"{rows}/search", ["query", "sort", "limit", "bookmark", "paginate"]),
        ("POST", f"/applications/{app['_id']}/export", ["excludeRows"]),
    ]
    for method, path, keys in routes:
        for body in bodies(rng, keys):
            check(api.request(method, path, json=body))
    # Search queries with odd operators and arguments.
    operators = ["string", "fuzzy", "range", "equal", "notEqual", "empty", "notEmpty", "oneOf", "contains",
                 "notContains", "containsAny", "allOr"]
    for _ in range(150):
        query = {op: ({rng.choice(list(PEOPLE) + ["nope", "a.b"]): rng.choice(ODD_VALUES)} if rng.random() < 0.8 else rng.choice(ODD_VALUES))
                 for op in rng.sample(operators, rng.randint(1, 4))}
        sort = {"column": rng.choice(list(PEOPLE) + ["nope"]), "order": rng.choice(["ascending", "descending", 5])}
        check(api.post(f"{rows}/search", json={"query": query, "sort": sort if rng.random() < 0.5 else rng.choice(ODD_VALUES)}))
    # Odd ids and paths.
    for path in ["/tables/%00", "/tables/ta_", f"{rows}/ro_", f"/tables/{table['_id']}/rows/%FF", "/applications/app_dev_%2F..",
                 "/applications/" + "a" * 5000]:
        for method in ("GET", "PUT", "DELETE", "POST"):
            check(api.request(method, path, json={}))
    for header in ["", "app_", "app_dev_xyz", "../../etc", "é"]:
        api.headers["x-budibase-app-id"] = header.encode("utf-8").decode("latin-1")
        check(api.post("/tables/search", json={}))
    # The server is still up and answering.
    api.using(app["_id"])
    assert ok(api.get(f"{rows}/{row['_id']}"))["data"]["name"] == "Ann"
