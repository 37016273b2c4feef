"""The server as a process: graceful shutdown keeps acknowledged writes, logs hold
no secrets."""
import concurrent.futures
import shutil
import tempfile
import time

import requests

from conftest import ADMIN, Server


def test_sigterm_finishes_in_flight_writes_and_keeps_them():
    data = tempfile.mkdtemp(prefix="divan-shutdown-")
    try:
        server = Server(data=data)
        session = requests.Session()
        session.auth = ADMIN
        assert session.put(f"{server.url}/keep").status_code == 201
        acknowledged = []

        def write(i):
            try:
                reply = requests.put(f"{server.url}/keep/d{i}", json={"i": i}, auth=ADMIN, timeout=30)
                if reply.status_code == 201:
                    return (f"d{i}", reply.json()["rev"])
            except requests.RequestException:
                pass
            return None

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            futures = [pool.submit(write, i) for i in range(400)]
            time.sleep(0.3)
            status = server.stop()
            for future in futures:
                if future.result():
                    acknowledged.append(future.result())
        assert status == 0, server.output()
        assert acknowledged, "no write was acknowledged before the shutdown"
        restarted = Server(data=data)
        try:
            for doc_id, rev in acknowledged:
                reply = requests.get(f"{restarted.url}/keep/{doc_id}", auth=ADMIN)
                assert reply.status_code == 200 and reply.json()["_rev"] == rev
        finally:
            restarted.stop()
    finally:
        shutil.rmtree(data, ignore_errors=True)


def test_logs_never_hold_passwords_or_cookies(server, admin):
    user_password = "user-secret-pw-42"
    admin.put(f"{server.url}/_users/org.couchdb.user:dora",
              json={"name": "dora", "password": user_password, "roles": [], "type": "user"})
    session = requests.Session()
    login = session.post(f"{server.url}/_session", json={"name": "dora", "password": user_password})
    cookie = session.cookies.get("AuthSession")
    assert login.status_code == 200 and cookie
    session.get(f"{server.url}/_session")
    requests.get(f"{server.url}/_up", auth=("dora", user_password))
    time.sleep(0.2)
    log = server.output()
    assert "GET /_up 200" in log
    for secret in (ADMIN[1], user_password, cookie):
        assert secret not in log
