"""s3cmd (pip install s3cmd), configured by a generated file for path-style access
to the S3 listener over plain HTTP with Signature Version 4."""
import hashlib
import os
import shutil
import subprocess

import pytest

from .conftest import ACCESS_KEY, REGION, SECRET_KEY


@pytest.fixture
def s3cmd(s3_server, tmp_path):
    executable = shutil.which("s3cmd")
    assert executable, "pip install s3cmd"
    config = tmp_path / "s3cfg"
    host = f"127.0.0.1:{s3_server.s3_port}"
    config.write_text("\n".join([
        "[default]", f"access_key = {ACCESS_KEY}", f"secret_key = {SECRET_KEY}", f"host_base = {host}",
        f"host_bucket = {host}", f"bucket_location = {REGION}", "use_https = False", "signature_v2 = False",
        "check_ssl_certificate = False", "multipart_chunk_size_mb = 5", "progress_meter = False", ""]))

    def run(*args, check=True):
        result = subprocess.run([executable, "-c", str(config), *args], capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            raise AssertionError(f"s3cmd {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    return run


def test_s3cmd_round_trip(s3cmd, tmp_path):
    bucket = "s3cmd-bucket"
    s3cmd("mb", f"s3://{bucket}")
    assert f"s3://{bucket}" in s3cmd("ls").stdout
    data = os.urandom((12 << 20) + 123)  # multipart with 5 MiB chunks
    source = tmp_path / "upload.bin"
    source.write_bytes(data)
    s3cmd("put", str(source), f"s3://{bucket}/dir/upload.bin")
    (tmp_path / "small.txt").write_text("small file")
    s3cmd("put", "--mime-type=text/plain", str(tmp_path / "small.txt"), f"s3://{bucket}/small.txt")
    listing = s3cmd("ls", "--recursive", f"s3://{bucket}").stdout
    assert "dir/upload.bin" in listing and "small.txt" in listing
    assert "DIR" in s3cmd("ls", f"s3://{bucket}").stdout
    s3cmd("get", f"s3://{bucket}/dir/upload.bin", str(tmp_path / "download.bin"))
    assert hashlib.md5((tmp_path / "download.bin").read_bytes()).digest() == hashlib.md5(data).digest()
    info = s3cmd("info", f"s3://{bucket}/small.txt").stdout
    assert "text/plain" in info
    sync_source = tmp_path / "tree"
    (sync_source / "a").mkdir(parents=True)
    (sync_source / "a" / "one.txt").write_text("one")
    (sync_source / "two.txt").write_text("two")
    s3cmd("sync", str(sync_source) + "/", f"s3://{bucket}/tree/")
    assert "tree/a/one.txt" in s3cmd("ls", "--recursive", f"s3://{bucket}/tree/").stdout
    s3cmd("cp", f"s3://{bucket}/small.txt", f"s3://{bucket}/copied.txt")
    s3cmd("get", f"s3://{bucket}/copied.txt", str(tmp_path / "copied.txt"))
    assert (tmp_path / "copied.txt").read_text() == "small file"
    s3cmd("del", "--recursive", "--force", f"s3://{bucket}")
    s3cmd("rb", f"s3://{bucket}")
    assert f"s3://{bucket}" not in s3cmd("ls").stdout
