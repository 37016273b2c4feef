"""pycouchdb against divan serve."""
import pycouchdb
import pytest


def test_pycouchdb_round_trip(server):
    couch = pycouchdb.Server(server.admin_url() + "/", authmethod="basic")
    db = couch.create("pycouchdb-db")
    doc = db.save({"_id": "x", "kind": "test"})
    assert db.get("x")["kind"] == "test"
    doc["kind"] = "changed"
    db.save(doc)
    assert db.get("x")["kind"] == "changed"
    with pytest.raises(pycouchdb.exceptions.Conflict):
        db.save({"_id": "x", "kind": "stale"})
    saved = db.save_bulk([{"_id": f"b{i}"} for i in range(10)])
    assert len(saved) == 10
    assert sum(1 for _ in db.all(keys=None, as_list=True)) == 11
    db.delete("x")
    with pytest.raises(pycouchdb.exceptions.NotFound):
        db.get("x")
    couch.delete("pycouchdb-db")
