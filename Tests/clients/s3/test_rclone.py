"""rclone (Debian's package), with a remote defined by environment variables: an S3
remote of provider "Other" pointing at the S3 listener, path-style, Signature V4."""
import hashlib
import json
import os
import shutil
import subprocess

import pytest

from .conftest import ACCESS_KEY, REGION, SECRET_KEY


@pytest.fixture
def rclone(s3_server, tmp_path):
    executable = shutil.which("rclone")
    assert executable, "apt-get install rclone"
    config = tmp_path / "rclone.conf"
    config.write_text("")
    # AWS_CA_BUNDLE (set on some machines) makes rclone's AWS SDK fail on plain HTTP.
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    environment = dict(
        inherited, RCLONE_CONFIG=str(config), RCLONE_CONFIG_DIVAN_TYPE="s3", RCLONE_CONFIG_DIVAN_PROVIDER="Other",
        RCLONE_CONFIG_DIVAN_ACCESS_KEY_ID=ACCESS_KEY, RCLONE_CONFIG_DIVAN_SECRET_ACCESS_KEY=SECRET_KEY,
        RCLONE_CONFIG_DIVAN_ENDPOINT=s3_server.endpoint, RCLONE_CONFIG_DIVAN_REGION=REGION,
        RCLONE_CONFIG_DIVAN_FORCE_PATH_STYLE="true",
        # Multipart from 5 MiB up, so a 12 MiB file takes three parts.
        RCLONE_S3_UPLOAD_CUTOFF="5M", RCLONE_S3_CHUNK_SIZE="5M")

    def run(*args, check=True):
        result = subprocess.run([executable, *args], capture_output=True, text=True, timeout=300, env=environment)
        if check and result.returncode != 0:
            raise AssertionError(f"rclone {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    return run


def test_rclone_copy_check_sync_and_purge(rclone, s3_server, tmp_path):
    tree = tmp_path / "tree"
    (tree / "docs").mkdir(parents=True)
    (tree / "docs" / "readme.txt").write_text("hello from rclone\n")
    (tree / "empty.txt").write_text("")
    big = os.urandom((12 << 20) + 321)
    (tree / "big.bin").write_bytes(big)
    rclone("mkdir", "divan:rclone-bucket")
    assert "rclone-bucket" in rclone("lsd", "divan:").stdout
    rclone("copy", str(tree), "divan:rclone-bucket/tree")
    etag = s3_server.client().head_object(Bucket="rclone-bucket", Key="tree/big.bin")["ETag"]
    assert etag.endswith('-3"'), etag  # uploaded in three parts
    listing = sorted(rclone("lsf", "-R", "divan:rclone-bucket/tree").stdout.split())
    assert listing == ["big.bin", "docs/", "docs/readme.txt", "empty.txt"]
    # Sizes and hashes (ETags, and rclone's own MD5 metadata for the multipart file) agree.
    rclone("check", str(tree), "divan:rclone-bucket/tree")
    rclone("check", "--download", str(tree), "divan:rclone-bucket/tree")
    assert rclone("cat", "divan:rclone-bucket/tree/docs/readme.txt").stdout == "hello from rclone\n"
    size = json.loads(rclone("size", "--json", "divan:rclone-bucket/tree").stdout)
    assert (size["count"], size["bytes"]) == (3, len(big) + len("hello from rclone\n"))

    rclone("copyto", "divan:rclone-bucket/tree/big.bin", str(tmp_path / "back.bin"))
    assert hashlib.md5((tmp_path / "back.bin").read_bytes()).digest() == hashlib.md5(big).digest()

    # Server-side copy, then a sync that deletes what the source no longer has.
    rclone("copyto", "divan:rclone-bucket/tree/docs/readme.txt", "divan:rclone-bucket/copied.txt")
    assert rclone("cat", "divan:rclone-bucket/copied.txt").stdout == "hello from rclone\n"
    (tree / "big.bin").unlink()
    (tree / "docs" / "new.txt").write_text("new")
    rclone("sync", str(tree), "divan:rclone-bucket/tree")
    assert sorted(rclone("lsf", "-R", "divan:rclone-bucket/tree").stdout.split()) == [
        "docs/", "docs/new.txt", "docs/readme.txt", "empty.txt"]

    rclone("deletefile", "divan:rclone-bucket/copied.txt")
    rclone("purge", "divan:rclone-bucket")
    assert "rclone-bucket" not in rclone("lsd", "divan:").stdout
