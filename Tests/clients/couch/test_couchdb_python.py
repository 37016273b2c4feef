"""couchdb-python (the `CouchDB` package) against divan serve: CRUD, conflicts,
bulk, _all_docs, attachments, users and security."""
import couchdb
import pytest


@pytest.fixture
def couch(server):
    return couchdb.Server(server.admin_url())


@pytest.fixture
def db(couch, request):
    name = "py-" + request.node.name.lower().replace("_", "-")
    if name in couch:
        del couch[name]
    return couch.create(name)


def test_server_basics(couch):
    assert couch.version() == "3.4.3"
    assert "_users" in couch
    assert "nope" not in couch


def test_crud_and_conflicts(db):
    doc_id, rev = db.save({"_id": "alpha", "value": 1})
    assert doc_id == "alpha" and rev.startswith("1-")
    doc = db["alpha"]
    assert doc["value"] == 1
    doc["value"] = 2
    db.save(doc)
    assert db["alpha"]["value"] == 2
    stale = {"_id": "alpha", "_rev": rev, "value": 3}
    with pytest.raises(couchdb.http.ResourceConflict):
        db.save(stale)
    db.delete(db["alpha"])
    assert db.get("alpha") is None
    with pytest.raises(couchdb.http.ResourceNotFound):
        db["alpha"]


def test_bulk_and_all_docs(db):
    results = db.update([{"_id": "d%03d" % i, "n": i} for i in range(50)])
    assert all(ok for ok, _, _ in results)
    again = db.update([{"_id": "d000", "n": 0}])
    assert not again[0][0] and isinstance(again[0][2], couchdb.http.ResourceConflict)
    rows = list(db.view("_all_docs", startkey="d010", endkey="d019"))
    assert [row.id for row in rows] == ["d%03d" % i for i in range(10, 20)]
    with_docs = list(db.view("_all_docs", keys=["d005", "missing"], include_docs=True))
    assert with_docs[0].doc["n"] == 5
    assert len(db) == 50
    info = db.info()
    assert info["doc_count"] == 50


def test_attachments(db):
    db.save({"_id": "with-file"})
    doc = db["with-file"]
    db.put_attachment(doc, b"hello attachment", filename="note.txt", content_type="text/plain")
    stream = db.get_attachment("with-file", "note.txt")
    assert stream.read() == b"hello attachment"
    doc = db["with-file"]
    assert doc["_attachments"]["note.txt"]["length"] == 16
    db.delete_attachment(doc, "note.txt")
    assert db.get_attachment("with-file", "note.txt") is None


def test_changes_feed(db):
    db.save({"_id": "a"})
    db.save({"_id": "b"})
    changes = db.changes()
    assert [row["id"] for row in changes["results"]] == ["a", "b"]
    since = changes["last_seq"]
    db.save({"_id": "c"})
    assert [row["id"] for row in db.changes(since=since)["results"]] == ["c"]


def test_users_and_security(server, couch, db):
    users = couch["_users"]
    users.save({"_id": "org.couchdb.user:carol", "name": "carol", "password": "pw", "roles": ["readers"], "type": "user"})
    stored = users["org.couchdb.user:carol"]
    assert "password" not in stored and stored["password_scheme"] == "pbkdf2"
    carol = couchdb.Server(f"http://carol:pw@127.0.0.1:{server.port}")
    with pytest.raises(couchdb.http.Forbidden):
        carol[db.name].info()
    db.security = {"members": {"roles": ["readers"]}}
    assert carol[db.name].info()["db_name"] == db.name
    anonymous = couchdb.Server(server.url)
    with pytest.raises(couchdb.http.Unauthorized):
        anonymous[db.name].info()
