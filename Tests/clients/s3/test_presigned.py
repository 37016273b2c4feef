"""Presigned URLs made by boto3, used with plain HTTP (requests): expiry enforced,
tampering refused, anonymous and wrongly signed requests answered 403. boto3 presigns
with Signature Version 2 by default for a us-east-1 endpoint and with Version 4 when
configured so (`X-Amz-*` parameters); both are tested."""
import time

import pytest
import requests


@pytest.fixture(params=["default", "s3v4"])
def presigner(request, s3_server):
    if request.param == "default":
        return s3_server.client()
    return s3_server.client(signature_version="s3v4")


def test_presigned_get_and_put(presigner, s3, bucket):
    s3.put_object(Bucket=bucket, Key="shared file.txt", Body=b"shared")
    url = presigner.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "shared file.txt"}, ExpiresIn=300)
    reply = requests.get(url, timeout=10)
    assert reply.status_code == 200 and reply.content == b"shared"
    assert reply.headers["ETag"] and reply.headers["Last-Modified"].endswith("GMT")
    assert reply.headers["x-amz-request-id"] and reply.headers["x-amz-id-2"]
    overridden = presigner.generate_presigned_url("get_object", ExpiresIn=300, Params={
        "Bucket": bucket, "Key": "shared file.txt", "ResponseContentDisposition": "attachment; filename=x.txt"})
    assert requests.get(overridden, timeout=10).headers["Content-Disposition"] == "attachment; filename=x.txt"
    upload = presigner.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "uploaded"}, ExpiresIn=300)
    assert requests.put(upload, data=b"from a browser", timeout=10).status_code == 200
    assert s3.get_object(Bucket=bucket, Key="uploaded")["Body"].read() == b"from a browser"


def test_presigned_expiry_and_tampering(presigner, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    url = presigner.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=1)
    tampered = url.replace("/k?", "/other?")
    assert requests.get(tampered, timeout=10).status_code == 403
    signature_changed = url.replace("Signature=", "Signature=A", 1)
    reply = requests.get(signature_changed, timeout=10)
    assert reply.status_code == 403 and b"<Code>SignatureDoesNotMatch</Code>" in reply.content
    time.sleep(2.1)
    expired = requests.get(url, timeout=10)
    assert expired.status_code == 403 and b"<Code>AccessDenied</Code>" in expired.content


def test_anonymous_and_forged_requests(s3_server, bucket):
    anonymous = requests.get(f"{s3_server.endpoint}/{bucket}", timeout=10)
    assert anonymous.status_code == 403 and b"<Code>AccessDenied</Code>" in anonymous.content
    put = requests.put(f"{s3_server.endpoint}/{bucket}/x", data=b"data", timeout=10)
    assert put.status_code == 403
    now = time.gmtime()
    forged = requests.get(f"{s3_server.endpoint}/{bucket}", timeout=10, headers={
        "x-amz-date": time.strftime("%Y%m%dT%H%M%SZ", now), "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
        "Authorization": f"AWS4-HMAC-SHA256 Credential=DIVANCLIENTTEST00001/{time.strftime('%Y%m%d', now)}/us-east-1/s3/"
                         "aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + "0" * 64})
    assert forged.status_code == 403 and b"<Code>SignatureDoesNotMatch</Code>" in forged.content
