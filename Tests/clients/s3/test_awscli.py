"""awscli against the S3 listener: the high-level `aws s3` commands (multipart for
large files, sync, recursive listings and deletes) and `aws s3api` for multipart,
copies, conditional and ranged reads and lifecycle."""
import hashlib
import json
import os
import subprocess

import pytest


@pytest.fixture
def aws(s3_server):
    environment = s3_server.cli_environment()

    def run(*args, check=True):
        result = subprocess.run(["aws", "--endpoint-url", s3_server.endpoint, "--output", "json", *args],
                                env=environment, capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def api(*args):
        output = run("s3api", *args).stdout
        return json.loads(output) if output.strip() else {}

    run.api = api
    return run


def test_cp_sync_ls_rm(aws, bucket, tmp_path):
    source = tmp_path / "source"
    (source / "nested").mkdir(parents=True)
    big = os.urandom(20 << 20)  # above awscli's 8 MiB multipart threshold
    (source / "big.bin").write_bytes(big)
    (source / "small.txt").write_text("small")
    (source / "nested" / "deep file.txt").write_text("deep")
    aws("s3", "cp", str(source / "big.bin"), f"s3://{bucket}/big.bin")
    aws("s3", "cp", f"s3://{bucket}/big.bin", str(tmp_path / "big.copy"))
    assert hashlib.sha256((tmp_path / "big.copy").read_bytes()).digest() == hashlib.sha256(big).digest()
    aws("s3", "sync", str(source), f"s3://{bucket}/tree")
    listing = aws("s3", "ls", "--recursive", f"s3://{bucket}/tree/").stdout
    assert "tree/big.bin" in listing and "tree/small.txt" in listing and "tree/nested/deep file.txt" in listing
    assert "PRE nested/" in aws("s3", "ls", f"s3://{bucket}/tree/").stdout
    # A second sync uploads nothing: sizes and times match.
    assert "upload:" not in aws("s3", "sync", str(source), f"s3://{bucket}/tree").stdout
    target = tmp_path / "target"
    aws("s3", "sync", f"s3://{bucket}/tree", str(target))
    assert (target / "nested" / "deep file.txt").read_text() == "deep"
    assert (target / "big.bin").read_bytes() == big
    aws("s3", "rm", "--recursive", f"s3://{bucket}/tree")
    assert aws("s3", "ls", f"s3://{bucket}/tree/", check=False).stdout == ""


def test_s3api_multipart_copy_conditions_ranges(aws, bucket, tmp_path):
    part = tmp_path / "part"
    part.write_bytes(b"m" * (5 << 20))
    upload = aws.api("create-multipart-upload", "--bucket", bucket, "--key", "mp")["UploadId"]
    first = aws.api("upload-part", "--bucket", bucket, "--key", "mp", "--upload-id", upload, "--part-number", "1",
                    "--body", str(part))
    tail = tmp_path / "tail"
    tail.write_bytes(b"end")
    second = aws.api("upload-part", "--bucket", bucket, "--key", "mp", "--upload-id", upload, "--part-number", "2",
                     "--body", str(tail))
    parts = aws.api("list-parts", "--bucket", bucket, "--key", "mp", "--upload-id", upload)["Parts"]
    assert [p["PartNumber"] for p in parts] == [1, 2]
    completion = {"Parts": [{"PartNumber": 1, "ETag": first["ETag"]}, {"PartNumber": 2, "ETag": second["ETag"]}]}
    done = aws.api("complete-multipart-upload", "--bucket", bucket, "--key", "mp", "--upload-id", upload,
                   "--multipart-upload", json.dumps(completion))
    assert done["ETag"].endswith('-2"')
    aws.api("copy-object", "--bucket", bucket, "--key", "mp-copy", "--copy-source", f"{bucket}/mp")
    head = aws.api("head-object", "--bucket", bucket, "--key", "mp-copy")
    assert head["ContentLength"] == (5 << 20) + 3 and head["ETag"] == done["ETag"]
    out = tmp_path / "range"
    ranged = aws.api("get-object", "--bucket", bucket, "--key", "mp-copy", "--range", f"bytes={5 << 20}-", str(out))
    assert out.read_bytes() == b"end" and ranged["ContentRange"] == f"bytes {5 << 20}-{(5 << 20) + 2}/{(5 << 20) + 3}"
    matched = aws.api("get-object", "--bucket", bucket, "--key", "mp", "--if-match", done["ETag"], str(out))
    assert matched["ETag"] == done["ETag"]
    failed = aws("s3api", "get-object", "--bucket", bucket, "--key", "mp", "--if-match", '"nope"', str(out), check=False)
    assert failed.returncode != 0 and "PreconditionFailed" in failed.stderr
    not_modified = aws("s3api", "get-object", "--bucket", bucket, "--key", "mp", "--if-none-match", done["ETag"],
                       str(out), check=False)
    assert not_modified.returncode != 0 and "304" in not_modified.stderr


def test_s3api_lifecycle(aws, bucket):
    configuration = {"Rules": [{"ID": "logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
                                "Expiration": {"Days": 30}}]}
    aws.api("put-bucket-lifecycle-configuration", "--bucket", bucket, "--lifecycle-configuration", json.dumps(configuration))
    rules = aws.api("get-bucket-lifecycle-configuration", "--bucket", bucket)["Rules"]
    assert rules[0]["ID"] == "logs" and rules[0]["Expiration"]["Days"] == 30
    aws.api("delete-bucket-lifecycle", "--bucket", bucket)
    missing = aws("s3api", "get-bucket-lifecycle-configuration", "--bucket", bucket, check=False)
    assert missing.returncode != 0 and "NoSuchLifecycleConfiguration" in missing.stderr
