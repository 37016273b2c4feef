"""Mango through real clients: couchdb-python's find/index/explain and plain HTTP
(requests) for the parts it lacks (index deletion, bookmarks, errors)."""
import couchdb
import pytest
import requests


@pytest.fixture
def db(server, request):
    couch = couchdb.Server(server.admin_url())
    name = "py-mango-" + request.node.name.lower().replace("_", "-")
    if name in couch:
        del couch[name]
    database = couch.create(name)
    database.update([{"_id": f"p{i:02d}", "type": "Person" if i % 2 else "City", "age": i} for i in range(30)])
    return database


def test_index_find_explain_with_couchdb_python(db):
    indexes = db.index()
    indexes["people", "by-type-age"] = [{"type": "asc"}, {"age": "asc"}]
    names = [(i["ddoc"], i["name"]) for i in indexes]
    assert names == [(None, "_all_docs"), ("_design/people", "by-type-age")]
    found = list(db.find({"selector": {"type": "Person", "age": {"$gt": 20}}, "sort": ["type", "age"],
                          "fields": ["_id", "age"]}))
    assert [d["age"] for d in found] == [21, 23, 25, 27, 29]
    assert set(found[0]) == {"_id", "age"}
    plan = db.explain({"selector": {"type": "Person", "age": {"$gt": 20}}})
    assert plan["index"]["name"] == "by-type-age"
    assert plan["mrargs"]["start_key"] == ["Person", 20]


def test_paging_deleting_and_errors_over_http(server, db):
    url = f"{server.url}/{db.name}"
    auth = ("admin", "client-test-password")  # conftest.ADMIN
    created = requests.post(f"{url}/_index", json={"index": {"fields": ["age"]}, "ddoc": "age", "name": "age"}, auth=auth)
    assert created.json()["result"] == "created"
    again = requests.post(f"{url}/_index", json={"index": {"fields": ["age"]}, "ddoc": "age", "name": "age"}, auth=auth)
    assert again.json() == {"result": "exists", "id": "_design/age", "name": "age"}
    seen, bookmark = [], None
    while True:
        body = {"selector": {"age": {"$gte": 0}}, "limit": 7, "sort": [{"age": "desc"}]}
        if bookmark:
            body["bookmark"] = bookmark
        page = requests.post(f"{url}/_find", json=body, auth=auth).json()
        if not page["docs"]:
            break
        seen += [d["age"] for d in page["docs"]]
        bookmark = page["bookmark"]
    assert seen == list(range(29, -1, -1))
    bad = requests.post(f"{url}/_find", json={"selector": {"age": {"$gt": 1}}, "sort": ["type"]}, auth=auth)
    assert bad.status_code == 400 and bad.json()["error"] == "no_usable_index"
    gone = requests.delete(f"{url}/_index/age/json/age", auth=auth)
    assert gone.json() == {"ok": True}
    fallback = requests.post(f"{url}/_find", json={"selector": {"age": 3}}, auth=auth).json()
    assert fallback["warning"].startswith("No matching index found")
    assert [d["_id"] for d in fallback["docs"]] == ["p03"]
