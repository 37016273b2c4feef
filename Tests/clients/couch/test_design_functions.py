"""validate_doc_update and filter functions through couchdb-python: a save the
validator refuses raises couchdb.Forbidden / Unauthorized, Database.changes takes a
filter with its query parameters."""
import couchdb
import pytest

VALIDATE = """function(newDoc, oldDoc, userCtx) {
  if (newDoc.forbid) throw({forbidden: 'no ' + newDoc._id});
  if (newDoc.unauth) throw({unauthorized: 'log in'});
  if (newDoc._deleted && oldDoc.keep) throw({forbidden: 'kept'});
}"""


@pytest.fixture
def db(server, request):
    couch = couchdb.Server(server.admin_url())
    name = "py-design-" + request.node.name.lower().replace("_", "-")
    if name in couch:
        del couch[name]
    return couch.create(name)


def test_a_save_the_validator_refuses_raises_and_writes_nothing(db):
    db.save({"_id": "_design/v", "validate_doc_update": VALIDATE})
    with pytest.raises(couchdb.Forbidden) as refused:
        db.save({"_id": "a", "forbid": True})
    assert refused.value.args[0] == ("forbidden", "no a")
    with pytest.raises(couchdb.Unauthorized):
        db.save({"_id": "a", "unauth": True})
    assert "a" not in db
    results = db.update([{"_id": "ok"}, {"_id": "no", "forbid": True}])
    assert [(ok, doc_id) for ok, doc_id, _ in results] == [(True, "ok"), (False, "no")]
    kept = {"_id": "k", "keep": True}
    db.save(kept)
    with pytest.raises(couchdb.Forbidden):
        db.delete(kept)
    assert "k" in db


def test_changes_with_a_filter_function_and_query_parameters(db):
    db.save({"_id": "_design/f", "filters": {
        "kind": "function(doc, req) { return doc.kind == req.query.kind && req.userCtx.roles.indexOf('_admin') >= 0; }"}})
    db.update([{"_id": f"d{i}", "kind": "a" if i % 2 else "b"} for i in range(10)])
    changes = db.changes(filter="f/kind", kind="a")
    assert [row["id"] for row in changes["results"]] == [f"d{i}" for i in range(1, 10, 2)]
    with_docs = db.changes(filter="f/kind", kind="b", include_docs=True, limit=2)
    assert [row["doc"]["kind"] for row in with_docs["results"]] == ["b", "b"]
    with pytest.raises(couchdb.ResourceNotFound):
        db.changes(filter="f/missing")
