"""JavaScript views through couchdb-python's view API (ViewDefinition, Database.view,
iterview) and plain HTTP for what it lacks (_info, errors)."""
import couchdb
from couchdb.design import ViewDefinition
import pytest
import requests


@pytest.fixture
def db(server, request):
    couch = couchdb.Server(server.admin_url())
    name = "py-views-" + request.node.name.lower().replace("_", "-")
    if name in couch:
        del couch[name]
    database = couch.create(name)
    database.update([{"_id": f"p{i:02d}", "type": "Person" if i % 2 else "City", "age": i} for i in range(30)])
    return database


def define(db):
    by_age = ViewDefinition("people", "by_age", "function(doc){ if (doc.type == 'Person') emit(doc.age, doc.type); }")
    by_type = ViewDefinition("people", "by_type", "function(doc){ emit([doc.type, doc.age], doc.age); }", reduce_fun="_sum")
    ViewDefinition.sync_many(db, [by_age, by_type])


def test_map_view_rows_ranges_and_docs(db):
    define(db)
    rows = db.view("people/by_age")
    assert rows.total_rows == 15
    assert [r.key for r in rows][:3] == [1, 3, 5]
    page = db.view("people/by_age", startkey=10, endkey=20, descending=False, skip=1, limit=2)
    assert [(r.id, r.key, r.value) for r in page] == [("p13", 13, "Person"), ("p15", 15, "Person")]
    assert page.offset == 6
    backwards = db.view("people/by_age", startkey=9, descending=True, limit=3)
    assert [r.key for r in backwards] == [9, 7, 5]
    with_docs = list(db.view("people/by_age", keys=[29, 1, 4], include_docs=True))
    assert [(r.key, r.doc["_id"]) for r in with_docs] == [(29, "p29"), (1, "p01")]
    assert [r.id for r in db.iterview("people/by_age", batch=4)] == [f"p{i:02d}" for i in range(1, 30, 2)]


def test_reduce_group_levels_and_incremental_updates(db):
    define(db)
    assert [r.value for r in db.view("people/by_type")] == [sum(range(30))]
    grouped = {tuple(r.key): r.value for r in db.view("people/by_type", group_level=1)}
    assert grouped == {("City",): sum(range(0, 30, 2)), ("Person",): sum(range(1, 30, 2))}
    doc = db["p01"]
    doc["age"] = 100
    db.save(doc)
    del db["p03"]
    grouped = {tuple(r.key): r.value for r in db.view("people/by_type", group_level=1)}
    assert grouped[("Person",)] == sum(range(1, 30, 2)) - 1 - 3 + 100
    assert [r.key for r in db.view("people/by_age", descending=True, limit=1)] == [100]
    assert len(list(db.view("people/by_type", reduce=False))) == 29


def test_errors_and_info_over_http(server, db):
    define(db)
    url = f"{server.url}/{db.name}"
    auth = ("admin", "client-test-password")  # conftest.ADMIN
    bad = requests.put(f"{url}/_design/bad", json={"views": {"v": {"map": "function(doc){ emit("}}}, auth=auth)
    assert bad.status_code == 400 and bad.json()["error"] == "compilation_error"
    grouping = requests.get(f"{url}/_design/people/_view/by_age", params={"group": "true"}, auth=auth)
    assert grouping.status_code == 400
    assert grouping.json() == {"error": "query_parse_error", "reason": "Invalid use of grouping on a map view."}
    missing = requests.get(f"{url}/_design/people/_view/nope", auth=auth)
    assert missing.status_code == 404 and missing.json()["reason"] == "missing_named_view"
    requests.get(f"{url}/_design/people/_view/by_age", auth=auth)
    info = requests.get(f"{url}/_design/people/_info", auth=auth).json()
    assert info["name"] == "people" and info["view_index"]["language"] == "javascript"
    assert info["view_index"]["update_seq"] >= 31
    cleanup = requests.post(f"{url}/_view_cleanup", json={}, auth=auth)
    assert cleanup.status_code == 202
