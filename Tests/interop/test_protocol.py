"""The replication protocol around the documents: checkpoints and incremental runs,
continuous replication and its cancellation, doc_ids and selector filters, and
_replicator documents with /_scheduler/docs."""
import time
from urllib.parse import quote

from interop_fixtures import pair, requires_couchdb, servers  # noqa: F401 (fixtures)
from interop_support import wait_for

pytestmark = requires_couchdb

FOLLOW_TIMEOUT = 120  # only to stop a hang: how long continuous changes may take to arrive


def checkpoints(peer, db):
    """{id: body} of the replication checkpoints (`_local/…` with a history)."""
    response = peer.get(f"/{quote(db, safe='')}/_local_docs", params={"include_docs": "true"})
    assert response.status_code == 200, f"{peer.name}: _local_docs -> {response.status_code} {response.text[:500]}"
    found = {}
    for row in response.json()["rows"]:
        doc = row.get("doc")
        if doc is None:
            doc = peer.get_doc(db, row["id"])
        if "history" in doc or "session_id" in doc:
            found[row["id"]] = doc
    return found


def test_incremental_uses_checkpoint(pair):
    src, tgt = pair.source, pair.target
    src.bulk(pair.source_db, [{"_id": f"first-{i:02}", "n": i} for i in range(20)])
    first = pair.replicate()
    pair.check(first)
    source_logs, target_logs = checkpoints(src, pair.source_db), checkpoints(tgt, pair.target_db)
    context = (f"\nfirst run: {first['_answer']}\nsource checkpoints: {source_logs}\ntarget checkpoints: {target_logs}\n"
               + pair.diagnostics())
    assert len(source_logs) == 1 and len(target_logs) == 1, "expected one _local checkpoint on each side" + context
    assert set(source_logs) == set(target_logs), "the checkpoint ids differ" + context
    checkpoint_id = next(iter(source_logs))
    for log in (source_logs[checkpoint_id], target_logs[checkpoint_id]):
        assert log.get("session_id") == first.get("session_id"), "checkpoint session is not the run's" + context
        assert log.get("source_last_seq") == first.get("source_last_seq"), "checkpoint seq is not the run's" + context

    src.bulk(pair.source_db, [{"_id": f"second-{i:02}", "n": i} for i in range(10)])
    for i in range(5):
        src.update(pair.source_db, f"first-{i:02}", edited=True)
    second = pair.replicate()
    pair.check(second)
    source_logs, target_logs = checkpoints(src, pair.source_db), checkpoints(tgt, pair.target_db)
    context = (f"\nfirst run: {first['_answer']}\nsecond run: {second['_answer']}\nsource checkpoints: {source_logs}\n"
               f"target checkpoints: {target_logs}\n" + pair.diagnostics())
    assert set(source_logs) == {checkpoint_id} and set(target_logs) == {checkpoint_id}, \
        "the second run wrote other checkpoint documents" + context
    for log in (source_logs[checkpoint_id], target_logs[checkpoint_id]):
        assert log.get("session_id") == second.get("session_id"), "checkpoint not updated by the second run" + context
        sessions = [entry.get("session_id") for entry in log.get("history", [])]
        assert sessions[:2] == [second.get("session_id"), first.get("session_id")], \
            "checkpoint history should list the second run, then the first" + context
    entry = second["history"][0]
    assert entry.get("start_last_seq") == first.get("source_last_seq"), \
        "the second run did not start from the first run's checkpoint" + context
    # CouchDB carries the statistics over from the checkpoint it resumed from (its
    # history entries are cumulative); a per-session count is accepted too.
    before = first["history"][0]
    for key in ("missing_checked", "docs_read"):
        assert entry.get(key) in (15, before.get(key, 0) + 15), \
            f"the second run's {key} should cover only the 15 new changes" + context

    third = pair.replicate()
    entry = (third.get("history") or [{}])[0]
    assert third.get("no_changes") is True or (entry.get("session_id") == third.get("session_id")
                                                and entry.get("docs_read") == 0), \
        f"a run with nothing new should read nothing: {third['_answer']}\n" + pair.diagnostics()
    pair.check(third)


def scheduler_job_ids(peer):
    response = peer.get("/_scheduler/jobs", timeout=15)
    assert response.status_code == 200, f"{peer.name}: /_scheduler/jobs -> {response.status_code} {response.text}"
    return {job.get("id") for job in response.json().get("jobs", [])}


def test_continuous_then_cancel(pair):
    src, tgt, rep = pair.source, pair.target, pair.replicator
    src.put(pair.source_db, "before-start", {"n": 0})
    response = rep.request("POST", "/_replicate", json=pair.body(continuous=True), timeout=60)
    assert response.status_code in (200, 202) and response.json().get("ok"), \
        f"continuous replication refused: {response.status_code} {response.text}\n" + pair.diagnostics()
    local_id = response.json().get("_local_id")
    cancelled = False
    try:
        assert local_id, f"no _local_id in {response.text}"
        assert local_id in scheduler_job_ids(rep), \
            f"{local_id} not in /_scheduler/jobs\n" + pair.diagnostics(response.text)
        src.bulk(pair.source_db, [{"_id": f"live-{i}", "n": i} for i in range(10)])
        rev = src.update(pair.source_db, "before-start", n=1)
        deleted = src.put(pair.source_db, "deleted-live", {"n": 2})
        deleted = src.delete(pair.source_db, "deleted-live", deleted)

        def arrived():
            ids = tgt.all_ids(pair.target_db)
            if not {f"live-{i}" for i in range(10)} <= ids:
                return False
            doc = tgt.get(f"/{pair.target_db}/before-start").json()
            gone = tgt.get(f"/{pair.target_db}/deleted-live", params={"rev": deleted})
            return doc.get("_rev") == rev and gone.status_code == 200
        assert wait_for(arrived, FOLLOW_TIMEOUT), \
            (f"writes made after the continuous replication started did not reach the target within "
             f"{FOLLOW_TIMEOUT} s; target has {sorted(tgt.all_ids(pair.target_db))}\n" + pair.diagnostics(response.text))
        pair.check()

        cancel = rep.request("POST", "/_replicate", json={"replication_id": local_id, "cancel": True}, timeout=60)
        cancelled = cancel.status_code == 200
        assert cancelled and cancel.json().get("ok"), \
            f"cancel refused: {cancel.status_code} {cancel.text}\n" + pair.diagnostics()
        assert wait_for(lambda: local_id not in scheduler_job_ids(rep), 60), \
            f"{local_id} still in /_scheduler/jobs after cancel\n" + pair.diagnostics(cancel.text)
        src.put(pair.source_db, "after-cancel", {"n": 3})
        time.sleep(5)  # a grace period for a replication that should no longer run
        assert "after-cancel" not in tgt.all_ids(pair.target_db), \
            "a write made after the cancel still reached the target\n" + pair.diagnostics(cancel.text)
    finally:
        if not cancelled and local_id:
            rep.request("POST", "/_replicate", json={"replication_id": local_id, "cancel": True}, timeout=60)


FILTER_IDS = ["a", "b", "c", "café", "x/y", "with space", "_design/keep", "_design/drop"]


def test_doc_ids_filter(pair):
    src = pair.source
    for doc_id in FILTER_IDS:
        src.put(pair.source_db, doc_id, {"language": "javascript"} if doc_id.startswith("_design/") else {"v": doc_id})
    src.update(pair.source_db, "a", v="edited")
    wanted = ["a", "café", "x/y", "_design/keep", "not-there"]
    result = pair.replicate(doc_ids=wanted)
    present = set(wanted) - {"not-there"}
    got = pair.target.all_ids(pair.target_db)
    assert got == present, (f"target holds {sorted(got)}, expected exactly {sorted(present)}\n"
                            + pair.diagnostics(result["_answer"]))
    pair.check(result, ids=present)


def test_selector_filter(pair):
    src = pair.source
    src.bulk(pair.source_db, [{"_id": f"doc-{i:02}", "type": "keep" if i % 3 == 0 else "drop", "n": i}
                              for i in range(15)])
    src.put(pair.source_db, "ünï-keep", {"type": "keep", "n": 99})
    src.update(pair.source_db, "doc-01", type="keep")  # becomes a match in a later revision
    result = pair.replicate(selector={"type": "keep"})
    expected = {f"doc-{i:02}" for i in range(15) if i % 3 == 0} | {"doc-01", "ünï-keep"}
    got = pair.target.all_ids(pair.target_db)
    assert got == expected, (f"target holds {sorted(got)}, expected exactly {sorted(expected)}\n"
                             + pair.diagnostics(result["_answer"]))
    pair.check(result, ids=expected)


def test_replicator_document(pair):
    src, rep = pair.source, pair.replicator
    for i in range(10):
        src.put(pair.source_db, f"doc-{i}", {"n": i})
    src.put(pair.source_db, "café", {"n": "unicode"})
    created = rep.request("PUT", "/_replicator")
    assert created.status_code in (201, 202, 412), f"{rep.name}: PUT /_replicator -> {created.status_code} {created.text}"
    doc_id = f"interop-{pair.source_db}"
    # The endpoints in the {"url", "auth": {"basic": …}} form here (userinfo elsewhere).
    rep.put("_replicator", doc_id, pair.body(style="object"))
    state = {}

    def finished():
        response = rep.get(f"/_scheduler/docs/_replicator/{quote(doc_id, safe='')}", timeout=15)
        state.update(status=response.status_code, body=response.text,
                     state=response.json().get("state") if response.status_code == 200 else None)
        return state["state"] in ("completed", "failed")
    try:
        wait_for(finished, 180, interval=1)
        document = rep.get(f"/_replicator/{quote(doc_id, safe='')}").json()
        context = (f"\n/_scheduler/docs/_replicator/{doc_id}: {state.get('status')} {state.get('body')}\n"
                   f"_replicator document: {document}\n" + pair.diagnostics())
        assert state.get("state") == "completed", \
            "the _replicator job did not reach state completed" + context
        assert document.get("_replication_state") == "completed", \
            "the _replicator document does not say _replication_state completed" + context
        pair.check()
    finally:
        document = rep.get(f"/_replicator/{quote(doc_id, safe='')}")
        if document.status_code == 200:
            rep.request("DELETE", f"/_replicator/{quote(doc_id, safe='')}", params={"rev": document.json()["_rev"]})
