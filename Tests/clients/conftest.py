"""Shared fixtures: start `divan serve` on a free loopback port, stop it by its PID."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ADMIN = ("admin", "client-test-password")


def divan_binary():
    configured = os.environ.get("DIVAN_BINARY")
    if configured:
        return configured
    for candidate in (".build/debug/divan", ".build/release/divan"):
        path = os.path.join(ROOT, candidate)
        if os.path.exists(path):
            return path
    raise RuntimeError("build divan first (swift build)")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kib(pid):
    """Resident memory of a process, from /proc."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Server:
    def __init__(self, extra_args=(), data=None):
        self.owns_data = data is None
        self.data = data or tempfile.mkdtemp(prefix="divan-client-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(self.data, "server.log"), "a+")
        env = dict(os.environ, DIVAN_ADMIN_USER=ADMIN[0], DIVAN_ADMIN_PASSWORD=ADMIN[1])
        self.process = subprocess.Popen(
            [divan_binary(), "serve", "--data", self.data + "/data", "--couch-port", str(self.port),
             "--password-iterations", "1000", "--s3-port", "0", "--app-port", "0", *extra_args],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if requests.get(self.url + "/_up", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("divan did not start:\n" + self.output())

    @property
    def pid(self):
        return self.process.pid

    def output(self):
        self.log.flush()
        with open(self.log.name) as log:
            return log.read()

    def admin_url(self):
        return f"http://{ADMIN[0]}:{ADMIN[1]}@127.0.0.1:{self.port}"

    def stop(self):
        """SIGTERM by PID, then the exit status (SIGKILL after 30 s)."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()
        if self.owns_data:
            shutil.rmtree(self.data, ignore_errors=True)
        return self.process.returncode


@pytest.fixture(scope="module")
def server():
    instance = Server()
    yield instance
    instance.stop()


@pytest.fixture
def admin(server):
    session = requests.Session()
    session.auth = ADMIN
    session.base = server.url
    return session
