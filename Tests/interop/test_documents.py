"""Documents and revision trees replicated between CouchDB and Divan: odd ids, design
documents, deletions, long histories, conflicts, new_edits=false trees, stemming.

Each test runs in the five configurations of conftest.CONFIGURATIONS and ends with the
convergence check of interop_support (leaves, bodies with _revisions, winner,
attachments, counts)."""
from interop_fixtures import pair, requires_couchdb, servers  # noqa: F401 (fixtures)
from interop_support import rev_hash

pytestmark = requires_couchdb

UNICODE_IDS = [
    "café-0",             # NFC é
    "cafe\u0301-0",       # the same text in NFD: a different id
    "日本",
    "😀 grinning",
    "🦊/fox",
    "a/b",
    "a/b/c",
    "a+b",
    "100%",
    "%2F",
    "with space",
    "what?",
    "hash#tag",
    "amp&eq=",
    'quote"d',
    "back\\slash",
    "ünï cödé/+%?# 😀",
]


def test_unicode_and_special_ids(pair):
    src = pair.source
    for i, doc_id in enumerate(UNICODE_IDS):
        src.put(pair.source_db, doc_id, {"n": i, "label": doc_id})
    # A second revision on a few, written through _bulk_docs (ids in JSON bodies).
    docs = [dict(src.get_doc(pair.source_db, doc_id), edited=True) for doc_id in UNICODE_IDS[::3]]
    src.bulk(pair.source_db, docs)
    pair.sync()


def test_design_docs(pair):
    src, db = pair.source, pair.source_db
    src.put(db, "_design/app", {
        "language": "javascript",
        "views": {"by_type": {"map": "function(doc){ if (doc.type) emit(doc.type, 1); }", "reduce": "_count"}},
        "filters": {"typed": "function(doc, req){ return !!doc.type; }"},
        "updates": {"touch": "function(doc, req){ return [doc, 'ok']; }"},
        "options": {"partitioned": False},
    })
    src.update(db, "_design/app", note="second revision")
    src.put(db, "_design/validate", {
        "language": "javascript",
        "validate_doc_update": "function(newDoc, oldDoc, userCtx, secObj){ if (newDoc.forbidden) throw({forbidden: 'no'}); }",
    })
    src.put(db, "_design/mango", {
        "language": "query",
        "views": {"by-type": {"map": {"fields": {"type": "asc"}, "partial_filter_selector": {}},
                              "reduce": "_count", "options": {"def": {"fields": ["type"]}}}},
    })
    src.put(db, "_design/ünï cödé", {"language": "javascript", "views": {"v": {"map": "function(doc){ emit(doc._id); }"}}})
    rev = src.put(db, "_design/gone", {"language": "javascript", "views": {}})
    src.delete(db, "_design/gone", rev)
    for i in range(5):
        src.put(db, f"doc-{i}", {"type": "t" if i % 2 else "u", "n": i})
    pair.sync()


def test_deletions(pair):
    src, db = pair.source, pair.source_db
    for i in range(6):
        src.put(db, f"live-{i}", {"n": i})
    rev = src.put(db, "plain-delete", {"v": 1})
    src.delete(db, "plain-delete", rev)
    rev = src.put(db, "delete-with-body", {"v": 1})
    rev = src.put(db, "delete-with-body", {"_rev": rev, "v": 2})
    src.put(db, "delete-with-body", {"_rev": rev, "_deleted": True, "reason": "tombstone keeps a body"})
    rev = src.put(db, "recreated", {"v": 1})
    src.delete(db, "recreated", rev)
    src.put(db, "recreated", {"v": "again"})  # new revision on top of the deleted leaf
    rows = src.bulk(db, [{"_id": f"bulk-{i}", "v": i} for i in range(4)])
    src.bulk(db, [{"_id": row["id"], "_rev": row["rev"], "_deleted": True} for row in rows[:3]])
    rev = src.put(db, "_design/deleted", {"language": "javascript"})
    src.delete(db, "_design/deleted", rev)
    pair.sync()


def test_long_edit_history(pair):
    src, db = pair.source, pair.source_db
    rev = src.put(db, "long", {"edit": 0})
    for i in range(1, 25):
        rev = src.put(db, "long", {"_rev": rev, "edit": i})
    drev = src.put(db, "long-deleted", {"edit": 0})
    for i in range(1, 30):
        drev = src.put(db, "long-deleted", {"_rev": drev, "edit": i})
    pair.sync()  # the target now holds 25 of the 50 revisions
    for i in range(25, 50):
        rev = src.put(db, "long", {"_rev": rev, "edit": i})
    src.delete(db, "long-deleted", drev)
    pair.sync()
    assert pair.target.get_doc(pair.target_db, "long")["_rev"].startswith("50-")


def test_conflicts_on_both_sides(pair):
    src, tgt = pair.source, pair.target
    for doc_id in ("deeper", "same-depth", "deleted-vs-edited", "three-way"):
        src.put(pair.source_db, doc_id, {"v": "base"})
    pair.sync()
    # deeper: two edits on the source, one on the target.
    src.update(pair.source_db, "deeper", v="source-1")
    src.update(pair.source_db, "deeper", v="source-2")
    tgt.update(pair.target_db, "deeper", v="target-1")
    # same-depth: one edit each; the winner is the greater revision id.
    src.update(pair.source_db, "same-depth", v="source")
    tgt.update(pair.target_db, "same-depth", v="target")
    # deleted-vs-edited: deleted on the source, edited on the target.
    doc = src.get_doc(pair.source_db, "deleted-vs-edited")
    src.delete(pair.source_db, "deleted-vs-edited", doc["_rev"])
    tgt.update(pair.target_db, "deleted-vs-edited", v="target-edit")
    # three-way: edited on both, then a second conflicting edit made on the target
    # from the same parent through new_edits=false.
    src.update(pair.source_db, "three-way", v="source")
    base = tgt.get_doc(pair.target_db, "three-way")
    tgt.update(pair.target_db, "three-way", v="target")
    start, parent = base["_rev"].split("-")
    third = rev_hash()
    tgt.bulk(pair.target_db, [{"_id": "three-way", "_rev": f"{int(start) + 1}-{third}", "v": "third",
                               "_revisions": {"start": int(start) + 1, "ids": [third, parent]}}], new_edits=False)
    forward = pair.replicate()
    backward = pair.replicate(reverse=True)
    pair.check(forward, reverse_result=backward)
    for peer, db in ((src, pair.source_db), (tgt, pair.target_db)):
        doc = peer.get_doc(db, "same-depth", conflicts="true")
        assert len(doc.get("_conflicts", [])) == 1, f"{peer.name}: same-depth should hold one conflict: {doc}"


def test_new_edits_false_branches(pair):
    src, db = pair.source, pair.source_db
    a, b, c, d, e, f, g = (rev_hash() for _ in range(7))
    docs = [
        # tree: 1-a -> 2-b -> 3-c, 2-b -> 3-d -> 4-e, 1-a -> 2-f (deleted)
        {"_id": "tree", "_rev": f"3-{c}", "v": "c", "_revisions": {"start": 3, "ids": [c, b, a]}},
        {"_id": "tree", "_rev": f"4-{e}", "v": "e", "_revisions": {"start": 4, "ids": [e, d, b, a]}},
        {"_id": "tree", "_rev": f"2-{f}", "_deleted": True, "_revisions": {"start": 2, "ids": [f, a]}},
        # the longest branch is deleted: the live 2-x still wins
        {"_id": "deleted-longest", "_rev": f"2-{b}", "v": "live", "_revisions": {"start": 2, "ids": [b, a]}},
        {"_id": "deleted-longest", "_rev": f"3-{g}", "_deleted": True, "_revisions": {"start": 3, "ids": [g, c, a]}},
        # a history that does not reach 1 (already stemmed where it came from)
        {"_id": "stem-start", "_rev": f"12-{c}", "v": 12, "_revisions": {"start": 12, "ids": [c, b, a]}},
        # two roots: histories that share no revision
        {"_id": "two-roots", "_rev": f"2-{b}", "v": "first", "_revisions": {"start": 2, "ids": [b, a]}},
        {"_id": "two-roots", "_rev": f"5-{e}", "v": "second", "_revisions": {"start": 5, "ids": [e, d]}},
        # all leaves deleted
        {"_id": "all-deleted", "_rev": f"2-{b}", "_deleted": True, "_revisions": {"start": 2, "ids": [b, a]}},
        {"_id": "all-deleted", "_rev": f"2-{c}", "_deleted": True, "_revisions": {"start": 2, "ids": [c, a]}},
        # rev ids that are not hex
        {"_id": "odd-rev-ids", "_rev": "2-not-hex-B", "v": 2, "_revisions": {"start": 2, "ids": ["not-hex-B", "A"]}},
    ]
    src.bulk(db, docs, new_edits=False)
    pair.sync()


def test_stemmed_histories(pair):
    src, tgt = pair.source, pair.target
    src.set_revs_limit(pair.source_db, 3)
    tgt.set_revs_limit(pair.target_db, 3)
    rev = src.put(pair.source_db, "stemmed", {"edit": 0})
    for i in range(1, 10):
        rev = src.put(pair.source_db, "stemmed", {"_rev": rev, "edit": i})
    ids = [rev_hash() for _ in range(10)]
    src.bulk(pair.source_db, [{"_id": "long-branch", "_rev": f"10-{ids[0]}", "v": 10,
                               "_revisions": {"start": 10, "ids": ids}}], new_edits=False)
    other = rev_hash()
    src.bulk(pair.source_db, [{"_id": "long-branch", "_rev": f"9-{other}", "v": "other",
                               "_revisions": {"start": 9, "ids": [other] + ids[2:]}}], new_edits=False)
    pair.sync()
    # Two edits, so the stemmed path still overlaps the target's: with more, CouchDB
    # itself keeps the target's old leaf as a second, disconnected branch.
    for i in range(10, 12):
        rev = src.put(pair.source_db, "stemmed", {"_rev": rev, "edit": i})
    pair.sync()
    revisions = src.get_doc(pair.source_db, "stemmed", revs="true")["_revisions"]
    assert revisions["start"] == 12 and len(revisions["ids"]) == 3, f"source did not stem: {revisions}"
