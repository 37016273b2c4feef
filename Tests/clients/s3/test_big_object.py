"""A 5 GiB object through boto3's multipart upload and a streamed download, generated
and hashed on the fly (never on disk in full on the client), while the server's
resident memory is sampled from /proc: it must stay under 200 MB."""
import hashlib
import random
import threading
import time

import pytest
from boto3.s3.transfer import TransferConfig

from conftest import rss_kib

from .conftest import S3Server

SIZE = 5 << 30
BLOCK = 1 << 20
LIMIT_KIB = 200 * 1024


class GeneratedStream:
    """Read-only, non-seekable: deterministic incompressible-looking bytes (a random
    block rotated by a different amount each time), hashed as they are read."""

    def __init__(self, size, seed=5):
        self.remaining = size
        self.base = random.Random(seed).randbytes(BLOCK)
        self.counter = 0
        self.pending = b""
        self.md5 = hashlib.md5()

    def _block(self):
        shift = (self.counter * 7919) % BLOCK
        self.counter += 1
        return self.base[shift:] + self.base[:shift]

    def read(self, size=-1):
        if size is None or size < 0:
            size = self.remaining
        size = min(size, self.remaining)
        parts = [self.pending[:size]]
        have = len(parts[0])
        self.pending = self.pending[size:]
        while have < size:
            block = self._block()
            take = min(size - have, len(block))
            parts.append(block[:take])
            self.pending = block[take:]
            have += take
        data = b"".join(parts)
        self.remaining -= len(data)
        self.md5.update(data)
        return data


class PeakMemory(threading.Thread):
    """Samples VmRSS of a process until stopped; keeps the peak."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.running = True

    def run(self):
        while self.running:
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.1)

    def stop(self):
        self.running = False
        self.join()
        return self.peak


@pytest.fixture(scope="module")
def quiet_server():
    """A server of its own, so that other tests' allocations do not count."""
    instance = S3Server()
    yield instance
    instance.stop()


@pytest.mark.big
def test_five_gib_object_with_bounded_memory(quiet_server):
    s3 = quiet_server.client()
    s3.create_bucket(Bucket="big-object")
    monitor = PeakMemory(quiet_server.pid)
    monitor.start()
    started = time.time()
    source = GeneratedStream(SIZE)
    config = TransferConfig(multipart_threshold=64 << 20, multipart_chunksize=64 << 20, max_concurrency=4)
    s3.upload_fileobj(source, "big-object", "five-gib.bin", Config=config)
    uploaded = time.time()
    assert source.remaining == 0
    head = s3.head_object(Bucket="big-object", Key="five-gib.bin")
    assert head["ContentLength"] == SIZE and head["ETag"].endswith('-80"')
    download = hashlib.md5()
    received = 0
    body = s3.get_object(Bucket="big-object", Key="five-gib.bin")["Body"]
    for chunk in body.iter_chunks(BLOCK):
        download.update(chunk)
        received += len(chunk)
    finished = time.time()
    peak = monitor.stop()
    print(f"\n5 GiB: upload {uploaded - started:.0f} s, download {finished - uploaded:.0f} s, "
          f"server peak RSS {peak / 1024:.0f} MB")
    assert received == SIZE
    assert download.hexdigest() == source.md5.hexdigest()
    assert peak < LIMIT_KIB, f"server RSS peaked at {peak / 1024:.0f} MB"
    s3.delete_object(Bucket="big-object", Key="five-gib.bin")
