"""Budibase's public API (/api/public/v1) on the app port, with `requests`: apps, tables,
rows, row search and publish, and the errors each answers."""
import itertools
import uuid

import pytest
import requests

from conftest import ADMIN

counter = itertools.count()


def unique(prefix):
    return f"{prefix} {next(counter)} {uuid.uuid4().hex[:6]}"


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def app(api):
    created = ok(api.post("/applications", json={"name": unique("App")}))["data"]
    api.using(created["_id"])
    yield created
    api.delete(f"/applications/{created['_id']}")


PEOPLE = {
    "name": {"type": "string", "constraints": {"presence": True, "length": {"maximum": 20}}},
    "age": {"type": "number", "constraints": {"numericality": {"greaterThanOrEqualTo": 0, "lessThanOrEqualTo": 150}}},
    "status": {"type": "options", "constraints": {"inclusion": ["open", "closed"]}},
    "tags": {"type": "array", "constraints": {"inclusion": ["a", "b", "c"]}},
    "active": {"type": "boolean"},
    "born": {"type": "datetime"},
    "notes": {"type": "longform"},
    "extra": {"type": "json"},
    "number": {"type": "number", "autocolumn": True, "subtype": "autoID"},
    "created": {"type": "datetime", "autocolumn": True, "subtype": "createdAt"},
    "updated": {"type": "datetime", "autocolumn": True, "subtype": "updatedAt"},
}


@pytest.fixture
def people(api, app):
    return ok(api.post("/tables", json={"name": "People", "primaryDisplay": "name", "schema": PEOPLE}))["data"]


def add(api, table, **fields):
    return ok(api.post(f"/tables/{table['_id']}/rows", json=fields))["data"]


def search(api, table, body, status=200):
    return ok(api.post(f"/tables/{table['_id']}/rows/search", json=body), status)


def names(result):
    return [row["name"] for row in result["data"]]


# Applications

def test_application_lifecycle(api, app_server):
    name = unique("Lifecycle")
    created = ok(api.post("/applications", json={"name": name}))["data"]
    app_id = created["_id"]
    assert app_id.startswith("app_dev_") and len(app_id) == len("app_dev_") + 32
    assert created["status"] == "development" and created["url"].startswith("/lifecycle-")
    for field in ("createdAt", "updatedAt", "version", "tenantId", "appId"):
        assert field in created
    assert ok(api.get(f"/applications/{app_id}"))["data"]["name"] == name
    renamed = ok(api.put(f"/applications/{app_id}", json={"name": name + " renamed", "url": "/renamed-" + app_id[-6:]}))["data"]
    assert renamed["name"] == name + " renamed" and renamed["url"] == "/renamed-" + app_id[-6:]
    found = ok(api.post("/applications/search", json={"name": name[:9].upper()}))["data"]
    assert app_id in [a["_id"] for a in found]
    # The development database is an ordinary CouchDB database.
    couch = requests.get(f"{app_server.url}/{app_id}/app_metadata", auth=ADMIN).json()
    assert couch["appId"] == app_id
    assert ok(api.delete(f"/applications/{app_id}"))["data"]["_id"] == app_id
    assert api.get(f"/applications/{app_id}").status_code == 404
    assert requests.get(f"{app_server.url}/{app_id}", auth=ADMIN).status_code == 404


def test_application_errors(api, app):
    assert api.post("/applications", json={}).status_code == 400
    taken = api.post("/applications", json={"name": app["name"].upper()})
    assert taken.status_code == 400 and "name" in taken.json()["message"]
    assert api.post("/applications", json={"name": unique("Other"), "url": app["url"]}).status_code == 400
    missing = api.get("/applications/app_dev_" + "0" * 32)
    assert missing.status_code == 404 and missing.json()["status"] == 404 and missing.json()["message"]
    assert api.get("/applications/not-an-app").status_code == 404
    # Never published: the production id is not found.
    assert api.get("/applications/" + app["_id"].replace("app_dev_", "app_")).status_code == 404
    bad = api.post("/applications", data=b"{nope", headers={"content-type": "application/json"})
    assert bad.status_code == 400 and bad.json()["status"] == 400


# Authentication

def test_credentials_are_required(app_server, app):
    base = app_server.app_url + "/api/public/v1"
    anonymous = requests.get(f"{base}/applications/{app['_id']}")
    assert anonymous.status_code == 401 and anonymous.json()["status"] == 401
    wrong = requests.get(f"{base}/applications/{app['_id']}", auth=(ADMIN[0], "wrong"))
    assert wrong.status_code == 401
    assert requests.post(f"{base}/applications", json={"name": "x"}).status_code == 401


def test_unknown_route_is_a_json_404(api):
    response = api.get("/nothing-here")
    assert response.status_code == 404 and response.json()["status"] == 404


def test_app_header_is_required(api, app):
    del api.headers["x-budibase-app-id"]
    response = api.post("/tables/search", json={})
    assert response.status_code == 400 and "x-budibase-app-id" in response.json()["message"]


def test_metrics_are_prometheus_text(api):
    response = api.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    assert "# TYPE" in response.text


# Tables

def test_table_lifecycle(api, app, people):
    assert people["_id"].startswith("ta_") and people["type"] == "table" and people["_rev"]
    assert ok(api.get(f"/tables/{people['_id']}"))["data"]["schema"]["name"]["type"] == "string"
    other = ok(api.post("/tables", json={"name": "Orders", "schema": {"total": {"type": "number"}}}))["data"]
    found = ok(api.post("/tables/search", json={"name": "peo"}))["data"]
    assert [t["_id"] for t in found] == [people["_id"]]
    assert {t["_id"] for t in ok(api.post("/tables/search", json={}))["data"]} == {people["_id"], other["_id"]}
    assert api.post("/tables", json={"name": "people", "schema": {}}).status_code == 400
    row = add(api, other, total=5)
    deleted = ok(api.delete(f"/tables/{other['_id']}"))["data"]
    assert deleted["_id"] == other["_id"]
    assert api.get(f"/tables/{other['_id']}").status_code == 404
    assert api.get(f"/tables/{other['_id']}/rows/{row['_id']}").status_code == 404


def test_table_schema_errors(api, app):
    bad_type = api.post("/tables", json={"name": "T", "schema": {"x": {"type": "nonsense"}}})
    assert bad_type.status_code == 400 and "x" in bad_type.json()["validationErrors"]
    assert api.post("/tables", json={"name": "T"}).status_code == 400
    assert api.post("/tables", json={"schema": {}}).status_code == 400
    assert api.post("/tables", json={"name": "T", "schema": {"l": {"type": "link"}}}).status_code == 400
    assert api.get("/tables/ta_" + "0" * 32).status_code == 404
    assert api.get("/tables/nope").status_code == 404


def test_schema_change_rewrites_rows(api, app, people):
    first = add(api, people, name="Ann", age=30, notes="n1")
    second = add(api, people, name="Bob", age=40, notes="n2")
    schema = {k: v for k, v in PEOPLE.items() if k not in ("notes", "age")}
    schema["years"] = PEOPLE["age"]
    ok(api.put(f"/tables/{people['_id']}", json={"name": "People", "schema": schema, "_rename": {"old": "age", "updated": "years"}}))
    for row, years in ((first, 30), (second, 40)):
        stored = ok(api.get(f"/tables/{people['_id']}/rows/{row['_id']}"))["data"]
        assert stored["years"] == years and "age" not in stored and "notes" not in stored
    # The renamed column sorts through its own index.
    result = search(api, people, {"query": {}, "sort": {"column": "years", "order": "descending"}})
    assert names(result) == ["Bob", "Ann"]


def test_tables_change_only_in_development(api, app, people):
    ok(api.post(f"/applications/{app['_id']}/publish"))
    api.using(app["_id"].replace("app_dev_", "app_"))
    assert api.post("/tables", json={"name": "X", "schema": {}}).status_code == 400
    assert ok(api.get(f"/tables/{people['_id']}"))["data"]["name"] == "People"


# Rows

def test_row_lifecycle(api, app, people, app_server):
    row = add(api, people, name="Ann", age="42", status="open", tags=["a", "b"], active="true", born="1990-01-02")
    assert row["_id"].startswith(f"ro_{people['_id']}_") and row["tableId"] == people["_id"] and row["type"] == "row"
    assert row["age"] == 42 and row["active"] is True and row["number"] == 1
    assert row["created"] and row["created"] == row["updated"]
    again = add(api, people, name="Bob")
    assert again["number"] == 2
    fetched = ok(api.get(f"/tables/{people['_id']}/rows/{row['_id']}"))["data"]
    assert fetched["name"] == "Ann" and fetched["_rev"] == row["_rev"]
    # No _rev needed; other fields are kept.
    updated = ok(api.put(f"/tables/{people['_id']}/rows/{row['_id']}", json={"age": 43}))["data"]
    assert updated["age"] == 43 and updated["name"] == "Ann" and updated["number"] == 1 and updated["created"] == row["created"]
    # A stale _rev given by the caller is a conflict.
    stale = api.put(f"/tables/{people['_id']}/rows/{row['_id']}", json={"age": 44, "_rev": row["_rev"]})
    assert stale.status_code == 409 and stale.json()["status"] == 409
    current = ok(api.put(f"/tables/{people['_id']}/rows/{row['_id']}", json={"age": 45, "_rev": updated["_rev"]}))["data"]
    assert current["age"] == 45
    # Rows are ordinary documents on the CouchDB port.
    couch = requests.get(f"{app_server.url}/{app['_id']}/{row['_id']}", auth=ADMIN).json()
    assert couch["age"] == 45 and couch["_rev"] == current["_rev"]
    assert ok(api.delete(f"/tables/{people['_id']}/rows/{row['_id']}"))["data"]["_id"] == row["_id"]
    assert api.get(f"/tables/{people['_id']}/rows/{row['_id']}").status_code == 404
    assert api.delete(f"/tables/{people['_id']}/rows/{row['_id']}").status_code == 404


@pytest.mark.parametrize("fields, errors", [
    ({}, {"name": ["can't be blank"]}),
    ({"name": ""}, {"name": ["can't be blank"]}),
    ({"name": "x" * 21}, {"name": ["is too long (maximum is 20 characters)"]}),
    ({"name": 5}, {"name": ["must be a string"]}),
    ({"name": "a", "age": "old"}, {"age": ["is not a number"]}),
    ({"name": "a", "age": -1}, {"age": ["must be greater than or equal to 0"]}),
    ({"name": "a", "age": 151}, {"age": ["must be less than or equal to 150"]}),
    ({"name": "a", "status": "maybe"}, {"status": ["is not included in the list"]}),
    ({"name": "a", "tags": ["a", "z"]}, {"tags": ["is not included in the list"]}),
    ({"name": "a", "tags": "a"}, {"tags": ["must be an array"]}),
    ({"name": "a", "active": "perhaps"}, {"active": ["must be a boolean"]}),
    ({"name": "a", "born": "yesterday"}, {"born": ["must be a valid date"]}),
    ({"age": "x", "status": "no"}, {"name": ["can't be blank"], "age": ["is not a number"], "status": ["is not included in the list"]}),
])
def test_row_validation(api, app, people, fields, errors):
    response = api.post(f"/tables/{people['_id']}/rows", json=fields)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status"] == 400 and body["validationErrors"] == errors


def test_row_update_is_validated(api, app, people):
    row = add(api, people, name="Ann")
    response = api.put(f"/tables/{people['_id']}/rows/{row['_id']}", json={"age": "many"})
    assert response.status_code == 400 and response.json()["validationErrors"] == {"age": ["is not a number"]}


def test_row_of_another_table_is_not_found(api, app, people):
    other = ok(api.post("/tables", json={"name": "Other", "schema": {}}))["data"]
    row = add(api, people, name="Ann")
    assert api.get(f"/tables/{other['_id']}/rows/{row['_id']}").status_code == 404
    assert api.put(f"/tables/{other['_id']}/rows/{row['_id']}", json={}).status_code == 404
    assert api.get(f"/tables/{people['_id']}/rows/ro_nothing").status_code == 404


def test_concurrent_updates_lose_nothing(api, app, people):
    """Updates without _rev retry on conflict: each of them lands."""
    from concurrent.futures import ThreadPoolExecutor
    row = add(api, people, name="Ann", tags=[])
    columns = ["name", "age", "status", "notes", "active", "born"]
    values = {"name": "Zed", "age": 7, "status": "closed", "notes": "n", "active": False, "born": "2000-01-01"}

    def update(column):
        session = type(api)(api.base.rsplit("/api/public/v1", 1)[0]).using(api.headers["x-budibase-app-id"])
        return session.put(f"/tables/{people['_id']}/rows/{row['_id']}", json={column: values[column]}).status_code

    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(update, columns)) == [200] * 6
    final = ok(api.get(f"/tables/{people['_id']}/rows/{row['_id']}"))["data"]
    assert {c: final[c] for c in columns} == values


# Search

@pytest.fixture
def crowd(api, app, people):
    rows = [
        dict(name="Alice", age=30, status="open", tags=["a"], active=True, born="1990-05-01", extra={"k": 1}),
        dict(name="alan", age=25, status="closed", tags=["a", "b"], active=False, born="1995-01-01"),
        dict(name="Bob", age=40, status="open", tags=["b", "c"], active=True, born="1980-03-03"),
        dict(name="Budibase", age=35, status="closed", tags=[], born="1985-07-07"),
        dict(name="Carol", status="open", tags=["c"], active=False),
    ]
    for row in rows:
        add(api, people, **row)
    # Another table's rows never show up.
    other = ok(api.post("/tables", json={"name": "Decoy", "schema": {"name": {"type": "string"}}}))["data"]
    add(api, other, name="Alice")
    return people


@pytest.mark.parametrize("query, expected", [
    ({}, {"Alice", "alan", "Bob", "Budibase", "Carol"}),
    ({"string": {"name": "al"}}, {"Alice", "alan"}),
    ({"string": {"name": "AL"}}, {"Alice", "alan"}),
    ({"fuzzy": {"name": "dib"}}, {"Budibase"}),
    ({"range": {"age": {"low": 30, "high": 40}}}, {"Alice", "Bob", "Budibase"}),
    ({"range": {"age": {"low": 31}}}, {"Bob", "Budibase"}),
    ({"range": {"born": {"low": "1985-01-01", "high": "1991-01-01"}}}, {"Alice", "Budibase"}),
    ({"equal": {"status": "open"}}, {"Alice", "Bob", "Carol"}),
    ({"equal": {"active": True}}, {"Alice", "Bob"}),
    ({"notEqual": {"status": "open"}}, {"alan", "Budibase"}),
    ({"notEqual": {"active": True}}, {"alan", "Budibase", "Carol"}),
    ({"empty": {"age": ""}}, {"Carol"}),
    ({"empty": {"extra": ""}}, {"alan", "Bob", "Budibase", "Carol"}),
    ({"notEmpty": {"age": ""}}, {"Alice", "alan", "Bob", "Budibase"}),
    ({"notEmpty": {"tags": ""}}, {"Alice", "alan", "Bob", "Carol"}),
    ({"oneOf": {"age": [25, 40]}}, {"alan", "Bob"}),
    ({"contains": {"tags": ["a", "b"]}}, {"alan"}),
    ({"contains": {"tags": "c"}}, {"Bob", "Carol"}),
    ({"containsAny": {"tags": ["a", "c"]}}, {"Alice", "alan", "Bob", "Carol"}),
    ({"notContains": {"tags": ["a"]}}, {"Bob", "Budibase", "Carol"}),
    ({"equal": {"status": "open"}, "range": {"age": {"low": 35}}}, {"Bob"}),
    ({"allOr": True, "equal": {"name": "Carol"}, "range": {"age": {"low": 40}}}, {"Carol", "Bob"}),
    ({"equal": {"1:status": "closed"}}, {"alan", "Budibase"}),
])
def test_search_operators(api, crowd, query, expected):
    assert set(names(search(api, crowd, {"query": query}))) == expected


def test_search_sort(api, crowd):
    ascending = search(api, crowd, {"query": {"notEmpty": {"age": ""}}, "sort": {"column": "age", "order": "ascending", "type": "number"}})
    assert names(ascending) == ["alan", "Alice", "Budibase", "Bob"]
    descending = search(api, crowd, {"query": {}, "sort": {"column": "name", "order": "descending", "type": "string"}})
    assert [n.lower() for n in names(descending)] == sorted([n.lower() for n in names(descending)], reverse=True)
    assert len(descending["data"]) == 5
    # Rows without the sorted column are listed too.
    assert len(search(api, crowd, {"query": {}, "sort": {"column": "age"}})["data"]) == 5
    assert api.post(f"/tables/{crowd['_id']}/rows/search", json={"query": {}, "sort": {"column": "extra"}}).status_code == 400


def test_search_pages_with_bookmarks(api, crowd):
    seen = []
    body = {"query": {}, "paginate": True, "limit": 2, "sort": {"column": "age", "order": "ascending"}}
    pages = 0
    while True:
        page = search(api, crowd, body)
        pages += 1
        seen += names(page)
        assert len(page["data"]) <= 2
        if not page["hasNextPage"]:
            break
        body["bookmark"] = page["bookmark"]
        # A row added behind the cursor does not shift later pages.
        if pages == 1:
            add(api, crowd, name="Aaron", age=1)
    assert pages == 3 and len(seen) == 5 and len(set(seen)) == 5
    unsorted = search(api, crowd, {"query": {}, "paginate": True, "limit": 10})
    assert unsorted["hasNextPage"] is False and len(unsorted["data"]) == 6


def test_search_limits_and_errors(api, crowd):
    assert len(search(api, crowd, {"query": {}, "limit": 2})["data"]) == 2
    assert "hasNextPage" not in search(api, crowd, {"query": {}, "limit": 2})
    assert len(search(api, crowd, {"query": {}, "limit": 5000})["data"]) == 5
    for body in ({"query": {"bogus": {"a": 1}}}, {"query": {"equal": 5}}, {"query": {}, "limit": 0},
                 {"query": {}, "limit": "x"}, {"query": {"range": {"age": 5}}}, {"query": {}, "bookmark": 7}):
        response = api.post(f"/tables/{crowd['_id']}/rows/search", json=body)
        assert response.status_code == 400, (body, response.text)
    assert api.post("/tables/ta_" + "1" * 32 + "/rows/search", json={"query": {}}).status_code == 404


# Publish

def test_publish_and_unpublish(api, app, people, app_server):
    first = add(api, people, name="Ann")
    deployment = ok(api.post(f"/applications/{app['_id']}/publish"))["data"]
    assert deployment["status"] == "SUCCESS" and deployment["appUrl"] == app["url"] and deployment["_id"]
    prod_id = app["_id"].replace("app_dev_", "app_")
    published = ok(api.get(f"/applications/{prod_id}"))["data"]
    assert published["_id"] == prod_id and published["status"] == "published" and published["name"] == app["name"]
    # The development metadata is untouched by publishing.
    assert ok(api.get(f"/applications/{app['_id']}"))["data"]["status"] == "development"
    prod = type(api)(app_server.app_url).using(prod_id)
    assert names(search(prod, people, {"query": {}})) == ["Ann"]
    # Again: the second publish sends what changed, deletions included.
    second = add(api, people, name="Bob")
    ok(api.delete(f"/tables/{people['_id']}/rows/{first['_id']}"))
    ok(api.post(f"/applications/{app['_id']}/publish"))
    assert names(search(prod, people, {"query": {}})) == ["Bob"]
    history = requests.get(f"{app_server.url}/{app['_id']}/deployments", auth=ADMIN).json()["history"]
    assert len(history) == 2 and all(d["status"] == "SUCCESS" for d in history.values())
    # The replication checkpoint records incremental progress on both sides.
    local = requests.get(f"{app_server.url}/{prod_id}/_local_docs", auth=ADMIN).json()
    assert local["rows"], "publish keeps a replication checkpoint"
    # Production rows written there stay there on the next publish.
    mine = add(prod, people, name="Prod only")
    ok(api.post(f"/applications/{app['_id']}/publish"))
    assert set(names(search(prod, people, {"query": {}}))) == {"Bob", "Prod only"}
    assert mine["_id"].startswith("ro_")
    # Unpublish: production stops answering; its data stay; publishing serves them again.
    assert api.post(f"/applications/{app['_id']}/unpublish").status_code == 204
    assert prod.post(f"/tables/{people['_id']}/rows/search", json={"query": {}}).status_code == 404
    assert api.get(f"/applications/{prod_id}").status_code == 404
    assert requests.get(f"{app_server.url}/{prod_id}/{second['_id']}", auth=ADMIN).status_code == 200
    ok(api.post(f"/applications/{app['_id']}/publish"))
    assert set(names(search(prod, people, {"query": {}}))) == {"Bob", "Prod only"}
    # Deleting the app deletes both databases.
    ok(api.delete(f"/applications/{app['_id']}"))
    assert requests.get(f"{app_server.url}/{prod_id}", auth=ADMIN).status_code == 404


def test_unpublish_of_unpublished_app_is_not_found(api, app):
    assert api.post(f"/applications/{app['_id']}/unpublish").status_code == 404


# Relationships

@pytest.fixture
def shop(api, app):
    """Customers (one) ↔ orders (many), and orders ↔ products (many-to-many)."""
    customers = ok(api.post("/tables", json={"name": "Customers", "primaryDisplay": "name", "schema": {"name": {"type": "string"}}}))["data"]
    products = ok(api.post("/tables", json={"name": "Products", "primaryDisplay": "title", "schema": {"title": {"type": "string"}}}))["data"]
    orders = ok(api.post("/tables", json={"name": "Orders", "primaryDisplay": "ref", "schema": {
        "ref": {"type": "string"},
        "customer": {"type": "link", "tableId": customers["_id"], "fieldName": "orders", "relationshipType": "many-to-one"},
        "products": {"type": "link", "tableId": products["_id"], "fieldName": "orders", "relationshipType": "many-to-many"},
    }}))["data"]
    return customers, products, orders


def links(api, table, row, column):
    stored = ok(api.get(f"/tables/{table['_id']}/rows/{row['_id']}"))["data"]
    return stored.get(column, [])


def test_link_columns_appear_on_both_tables(api, shop):
    customers, products, orders = shop
    back = ok(api.get(f"/tables/{customers['_id']}"))["data"]["schema"]["orders"]
    assert back["type"] == "link" and back["tableId"] == orders["_id"] and back["fieldName"] == "customer"
    assert back["relationshipType"] == "one-to-many"
    assert ok(api.get(f"/tables/{products['_id']}"))["data"]["schema"]["orders"]["relationshipType"] == "many-to-many"
    bad = api.post("/tables", json={"name": "Bad", "schema": {"x": {"type": "link", "tableId": "ta_" + "0" * 32, "fieldName": "y"}}})
    assert bad.status_code == 404
    clash = api.post("/tables", json={"name": "Clash", "schema": {"x": {"type": "link", "tableId": customers["_id"], "fieldName": "name"}}})
    assert clash.status_code == 400


def test_links_are_kept_on_both_sides(api, shop):
    customers, products, orders = shop
    ann = add(api, customers, name="Ann")
    bob = add(api, customers, name="Bob")
    pen = add(api, products, title="Pen")
    ink = add(api, products, title="Ink")
    order = add(api, orders, ref="o1", customer=[ann["_id"]], products=[pen["_id"], ink["_id"]])
    # Links come back with the related table's display column.
    assert order["customer"] == [{"_id": ann["_id"], "primaryDisplay": "Ann"}]
    assert {p["primaryDisplay"] for p in order["products"]} == {"Pen", "Ink"}
    assert [o["_id"] for o in links(api, customers, ann, "orders")] == [order["_id"]]
    assert [o["primaryDisplay"] for o in links(api, products, pen, "orders")] == ["o1"]
    # Moving the order to Bob removes it from Ann; an enriched row round-trips.
    current = ok(api.get(f"/tables/{orders['_id']}/rows/{order['_id']}"))["data"]
    current["customer"] = [{"_id": bob["_id"], "primaryDisplay": "Bob"}]
    ok(api.put(f"/tables/{orders['_id']}/rows/{order['_id']}", json=current))
    assert links(api, customers, ann, "orders") == []
    assert [o["_id"] for o in links(api, customers, bob, "orders")] == [order["_id"]]
    # A many-to-one column holds one row at most; links must name rows of the table.
    too_many = api.post(f"/tables/{orders['_id']}/rows", json={"customer": [ann["_id"], bob["_id"]]})
    assert too_many.status_code == 400 and "customer" in too_many.json()["validationErrors"]
    dangling = api.post(f"/tables/{orders['_id']}/rows", json={"products": [ann["_id"]]})
    assert dangling.status_code == 400 and "products" in dangling.json()["validationErrors"]
    # Linking from the other side: Ann takes the order (an order has one customer).
    ok(api.put(f"/tables/{customers['_id']}/rows/{ann['_id']}", json={"orders": [order["_id"]]}))
    assert [c["_id"] for c in links(api, orders, order, "customer")] == [ann["_id"]]
    assert links(api, customers, bob, "orders") == []
    # Deleting a row removes it from the rows it was linked to.
    ok(api.delete(f"/tables/{products['_id']}/rows/{ink['_id']}"))
    assert [p["_id"] for p in links(api, orders, order, "products")] == [pen["_id"]]
    ok(api.delete(f"/tables/{orders['_id']}/rows/{order['_id']}"))
    assert links(api, customers, ann, "orders") == [] and links(api, products, pen, "orders") == []


def test_search_enriches_links(api, shop):
    customers, _, orders = shop
    ann = add(api, customers, name="Ann")
    add(api, orders, ref="o1", customer=[ann["_id"]])
    rows = search(api, orders, {"query": {"equal": {"ref": "o1"}}})["data"]
    assert rows[0]["customer"] == [{"_id": ann["_id"], "primaryDisplay": "Ann"}]


def test_removing_a_link_column_removes_its_other_side(api, shop):
    customers, products, orders = shop
    ann = add(api, customers, name="Ann")
    add(api, orders, ref="o1", customer=[ann["_id"]])
    schema = ok(api.get(f"/tables/{orders['_id']}"))["data"]["schema"]
    del schema["customer"]
    ok(api.put(f"/tables/{orders['_id']}", json={"name": "Orders", "schema": schema}))
    assert "orders" not in ok(api.get(f"/tables/{customers['_id']}"))["data"]["schema"]
    assert "orders" not in ok(api.get(f"/tables/{customers['_id']}/rows/{ann['_id']}"))["data"]
    ok(api.delete(f"/tables/{orders['_id']}"))
    assert "orders" not in ok(api.get(f"/tables/{products['_id']}"))["data"]["schema"]


# Export and import

def read_archive(content):
    import io
    import tarfile
    with tarfile.open(fileobj=io.BytesIO(content), mode="r:gz") as archive:
        return {member.name: archive.extractfile(member).read() for member in archive.getmembers()}


def test_export_import_round_trip(api, app, people, app_server):
    import json
    rows = [add(api, people, name=f"P{i}", age=i % 150) for i in range(600)]
    attached = requests.put(f"{app_server.url}/{app['_id']}/{rows[0]['_id']}/photo.bin",
                            params={"rev": rows[0]["_rev"]}, data=bytes(range(256)) * 40,
                            headers={"content-type": "application/octet-stream"}, auth=ADMIN)
    assert attached.status_code == 201
    ok(api.post(f"/applications/{app['_id']}/publish"))
    export = api.post(f"/applications/{app['_id']}/export", json={})
    assert export.status_code == 200 and export.headers["content-type"] == "application/gzip"
    files = read_archive(export.content)
    assert json.loads(files["manifest.json"])["format"] == "divan-app-export"
    development = [json.loads(line) for name, data in files.items() if name.startswith("development/") for line in data.splitlines()]
    assert len([d for d in development if d["_id"].startswith("ro_")]) == 600
    assert any(name.startswith("production/") for name in files)
    # Without rows: the schema only.
    slim = read_archive(api.post(f"/applications/{app['_id']}/export", json={"excludeRows": True}).content)
    assert not any(b'"ro_' in data for name, data in slim.items() if name.startswith("development/"))

    # Into another app: the tables, rows and attachment bytes arrive; its own identity stays.
    target = ok(api.post("/applications", json={"name": unique("Target")}))["data"]
    api.using(target["_id"])
    stray = ok(api.post("/tables", json={"name": "Stray", "schema": {}}))["data"]
    result = ok(api.post(f"/applications/{target['_id']}/import", data=export.content,
                         headers={"content-type": "application/gzip"}))["data"]
    assert result["documents"] >= 601 and result["deleted"] >= 1
    assert api.get(f"/tables/{stray['_id']}").status_code == 404
    assert len(search(api, people, {"query": {}, "limit": 1000})["data"]) == 600
    assert ok(api.get(f"/applications/{target['_id']}"))["data"]["name"] == target["name"]
    photo = requests.get(f"{app_server.url}/{target['_id']}/{rows[0]['_id']}/photo.bin", auth=ADMIN)
    assert photo.content == bytes(range(256)) * 40
    # Sorting works in the imported app: its indexes came with it.
    top = search(api, people, {"query": {}, "sort": {"column": "age", "order": "descending"}, "limit": 1})
    assert top["data"][0]["age"] == 149
    # A form upload of the same file works too; importing again changes nothing.
    again = ok(api.post(f"/applications/{target['_id']}/import", files={"appExport": ("export.tar.gz", export.content)}))["data"]
    assert again["deleted"] == 0
    api.delete(f"/applications/{target['_id']}")


def test_import_refuses_what_is_not_an_export(api, app):
    import gzip
    import io
    import tarfile
    for body in (b"plain text", gzip.compress(b"not a tar archive at all" * 40), gzip.compress(b"")):
        response = api.post(f"/applications/{app['_id']}/import", data=body, headers={"content-type": "application/gzip"})
        assert response.status_code == 400 and response.json()["status"] == 400, response.text
    other = io.BytesIO()
    with tarfile.open(fileobj=other, mode="w:gz") as archive:
        info = tarfile.TarInfo("development/000001.ndjson")
        info.size = 2
        archive.addfile(info, io.BytesIO(b"{}"))
    assert api.post(f"/applications/{app['_id']}/import", data=other.getvalue()).status_code == 400
    production = app["_id"].replace("app_dev_", "app_")
    assert api.post(f"/applications/{production}/import", data=b"x").status_code in (400, 404)
    assert api.post(f"/applications/{app['_id']}/import", files={"other": ("x.txt", b"x")}, data={"a": "b"}).status_code == 400


# Attachment columns: files in the object store

def upload(api, *files):
    response = api.post(f"{api.base.rsplit('/api/public/v1', 1)[0]}/api/attachments/process",
                        files=[("file", (name, data, "application/octet-stream")) for name, data in files])
    return response


def test_attachments_live_in_the_object_store(api, app, app_server):
    import os
    files = ok(api.post("/tables", json={"name": "Files", "schema": {
        "title": {"type": "string"}, "docs": {"type": "attachment"}, "cover": {"type": "attachment_single"}}}))["data"]
    big = os.urandom(3 << 20)
    stored = ok(upload(api, ("report.PDF", big), ("note.txt", b"hello")))
    assert [s["name"] for s in stored] == ["report.PDF", "note.txt"]
    assert stored[0]["size"] == len(big) and stored[0]["extension"] == "pdf"
    assert stored[0]["key"].startswith(app["_id"][len("app_dev_"):] + "/attachments/")
    row = add(api, files, title="t", docs=stored, cover=stored[1])
    assert [d["key"] for d in row["docs"]] == [s["key"] for s in stored]
    base = api.base.rsplit("/api/public/v1", 1)[0]
    fetched = api.get(base + stored[0]["url"])
    assert fetched.status_code == 200 and fetched.content == big
    assert api.get(base + stored[1]["url"]).content == b"hello"
    # A row may only name files uploaded to its own app.
    forged = dict(stored[1], key="0" * 32 + "/attachments/x.txt")
    bad = api.post(f"/tables/{files['_id']}/rows", json={"docs": [forged]})
    assert bad.status_code == 400 and "docs" in bad.json()["validationErrors"]
    missing = dict(stored[1], key=stored[1]["key"].replace("attachments/", "attachments/0"))
    assert api.post(f"/tables/{files['_id']}/rows", json={"cover": missing}).status_code == 400
    # Published, the production app serves the same files.
    ok(api.post(f"/applications/{app['_id']}/publish"))
    prod_url = stored[1]["url"].replace(app["_id"], app["_id"].replace("app_dev_", "app_"))
    assert api.get(base + prod_url).content == b"hello"
    assert api.get(base + stored[1]["url"].replace(".txt", ".bin")).status_code == 404
    # Errors: no file, not a form.
    assert api.post(base + "/api/attachments/process", data={"a": "b"}).status_code == 400
    assert api.post(base + "/api/attachments/process", json={}).status_code == 400
    # Deleting the app deletes its files.
    ok(api.delete(f"/applications/{app['_id']}"))
    assert api.get(base + stored[1]["url"]).status_code == 404
