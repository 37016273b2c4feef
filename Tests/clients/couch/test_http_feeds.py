"""Raw HTTP with requests: feeds read incrementally while another thread writes,
sessions, bad input, and a 200 MB attachment with the server's memory watched."""
import hashlib
import json
import threading
import time

import pytest
import requests

from conftest import ADMIN, rss_kib


@pytest.fixture
def db(admin, server, request):
    name = "feeds-" + request.node.name.lower().replace("_", "-")
    admin.delete(f"{server.url}/{name}")
    assert admin.put(f"{server.url}/{name}").status_code == 201
    return f"{server.url}/{name}"


def writer(session, url, count, delay=0.05):
    def run():
        for i in range(count):
            time.sleep(delay)
            session.put(f"{url}/w{i}", json={"i": i}, auth=ADMIN)
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_continuous_feed_reads_while_writing(admin, db):
    thread = writer(requests.Session(), db, 5)
    seen = []
    with admin.get(f"{db}/_changes", params={"feed": "continuous", "heartbeat": "200", "since": "0"}, stream=True, timeout=30) as response:
        for line in response.iter_lines():
            if not line:
                continue  # heartbeat
            row = json.loads(line)
            seen.append(row["id"])
            if len(seen) == 5:
                break
    thread.join()
    assert seen == [f"w{i}" for i in range(5)]


def test_longpoll_returns_on_write(admin, db):
    seq = admin.get(f"{db}/_changes").json()["last_seq"]
    thread = writer(requests.Session(), db, 1, delay=0.3)
    started = time.time()
    reply = admin.get(f"{db}/_changes", params={"feed": "longpoll", "since": seq, "timeout": "10000"}, timeout=30).json()
    thread.join()
    assert [row["id"] for row in reply["results"]] == ["w0"]
    assert time.time() - started < 5


def test_eventsource_feed(admin, db):
    thread = writer(requests.Session(), db, 3)
    events = []
    with admin.get(f"{db}/_changes", params={"feed": "eventsource", "heartbeat": "200"}, stream=True, timeout=30) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith(b"data: {"):
                events.append(json.loads(line[6:])["id"])
                if len(events) == 3:
                    break
    thread.join()
    assert events == ["w0", "w1", "w2"]


def test_cookie_session(server):
    session = requests.Session()
    login = session.post(f"{server.url}/_session", json={"name": ADMIN[0], "password": ADMIN[1]})
    assert login.status_code == 200 and "AuthSession" in session.cookies
    assert session.get(f"{server.url}/_all_dbs").status_code == 200
    assert session.get(f"{server.url}/_session").json()["userCtx"]["name"] == ADMIN[0]
    session.delete(f"{server.url}/_session")
    assert requests.get(f"{server.url}/_all_dbs").status_code == 401


def test_bad_input_never_500(admin, db):
    cases = [
        ("put", f"{db}/x", {"data": b"{broken", "headers": {"Content-Type": "application/json"}}, 400),
        # CouchDB checks the type of POST /db, not of a document PUT.
        ("post", db, {"data": b"{}", "headers": {"Content-Type": "text/plain"}}, 415),
        ("put", f"{db}/x", {"json": {"_bogus": 1}}, 400),
        ("get", f"{db}/x?rev=garbage", {}, 400),
        ("get", f"{db}/_all_docs?limit=abc", {}, 400),
        ("post", f"{db}/_bulk_docs", {"json": {"docs": "no"}}, 400),
        ("put", f"{db}/y", {"data": b"--b\r\nbad", "headers": {"Content-Type": "multipart/related; boundary=b"}}, 400),
        ("put", f"{admin.base}/Bad-Name", {}, 400),
    ]
    for method, url, kwargs, status in cases:
        reply = getattr(admin, method)(url, **kwargs)
        assert reply.status_code == status, (method, url, reply.text)
        assert "error" in reply.json()
    assert admin.get(db).json()["doc_count"] == 0


def generated(total, piece=1 << 20):
    block = bytes(range(256)) * (piece // 256)
    sent = 0
    while sent < total:
        chunk = block[: min(piece, total - sent)]
        sent += len(chunk)
        yield chunk


def test_large_attachment_memory_stays_bounded(admin, db, server):
    size = 200 * 1024 * 1024
    baseline = rss_kib(server.pid)
    peak = [baseline]
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_kib(server.pid))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        reply = admin.put(f"{db}/big/blob.bin", data=generated(size), headers={"Content-Type": "application/octet-stream"})
        assert reply.status_code == 201, reply.text
        digest = hashlib.md5()
        received = 0
        with admin.get(f"{db}/big/blob.bin", stream=True) as download:
            for chunk in download.iter_content(1 << 20):
                digest.update(chunk)
                received += len(chunk)
        expected = hashlib.md5()
        for chunk in generated(size):
            expected.update(chunk)
        assert received == size and digest.hexdigest() == expected.hexdigest()

        # The replicator's way: open_revs as multipart/mixed, the bytes streamed after the JSON.
        with admin.get(f"{db}/big", params={"open_revs": "all", "attachments": "true"},
                       headers={"Accept": "multipart/mixed"}, stream=True) as reply:
            assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("multipart/mixed")
            chunks = reply.iter_content(1 << 20)
            buffer = b""
            marker = b'filename="blob.bin"'
            while marker not in buffer:
                buffer += next(chunks)
            start = buffer.index(marker)
            assert b'"follows":true' in buffer[:start]
            body_start = buffer.index(b"\r\n\r\n", start) + 4
            assert f"Content-Length: {size}".encode() in buffer[start:body_start]
            digest = hashlib.md5()
            data, received = buffer[body_start:], 0
            while received + len(data) < size:
                digest.update(data)
                received += len(data)
                data = next(chunks)
            digest.update(data[:size - received])
            rest = data[size - received:] + b"".join(chunks)
            assert rest.startswith(b"\r\n--") and rest.endswith(b"--"), rest[:200]
        assert digest.hexdigest() == expected.hexdigest()
    finally:
        stop.set()
        watcher.join()
    growth_mib = (peak[0] - baseline) / 1024
    print(f"server RSS {baseline // 1024} MiB before, peak {peak[0] // 1024} MiB")
    assert growth_mib < 100, f"server grew by {growth_mib:.0f} MiB for a 200 MiB attachment"
