"""The MinIO Python SDK (pip install minio): objects, streams, multipart, listings,
presigned URLs."""
import io

import pytest
import requests

from .conftest import ACCESS_KEY, SECRET_KEY

minio = pytest.importorskip("minio")


@pytest.fixture
def client(s3_server):
    return minio.Minio(f"127.0.0.1:{s3_server.s3_port}", access_key=ACCESS_KEY, secret_key=SECRET_KEY, secure=False,
                       region="us-east-1")


def test_minio_sdk(client):
    bucket = "minio-sdk"
    client.make_bucket(bucket)
    assert client.bucket_exists(bucket)
    client.put_object(bucket, "a/b.txt", io.BytesIO(b"minio"), 5, content_type="text/plain", metadata={"x-amz-meta-k": "v"})
    stat = client.stat_object(bucket, "a/b.txt")
    assert stat.size == 5 and stat.content_type == "text/plain" and stat.metadata["x-amz-meta-k"] == "v"
    assert client.get_object(bucket, "a/b.txt").read() == b"minio"
    big = bytes(range(256)) * (48 << 10)  # 12 MiB of unknown length: multipart in 5 MiB parts
    client.put_object(bucket, "big", io.BytesIO(big), -1, part_size=5 << 20)
    assert client.get_object(bucket, "big").read() == big
    assert client.get_object(bucket, "big", offset=100, length=10).read() == big[100:110]
    names = [o.object_name for o in client.list_objects(bucket, recursive=True)]
    assert names == ["a/b.txt", "big"]
    assert sorted(o.object_name for o in client.list_objects(bucket)) == ["a/", "big"]
    url = client.presigned_get_object(bucket, "a/b.txt")
    assert requests.get(url, timeout=10).content == b"minio"
    client.remove_object(bucket, "a/b.txt")
    errors = list(client.remove_objects(bucket, [minio.deleteobjects.DeleteObject("big")]))
    assert errors == []
    client.remove_bucket(bucket)
    assert not client.bucket_exists(bucket)
