"""boto3 with its current defaults (CRC32 checksums when supported, checksum validation
of downloads), path-style addressing against the S3 listener."""
import datetime
import hashlib
import io
import time
from urllib.parse import urlparse

import botocore.httpchecksum
import pytest
from botocore.exceptions import ClientError

from .conftest import make_client


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_buckets(s3):
    s3.create_bucket(Bucket="boto-buckets")
    s3.create_bucket(Bucket="boto-buckets-2", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert "boto-buckets" in names and "boto-buckets-2" in names
    s3.head_bucket(Bucket="boto-buckets")
    assert s3.get_bucket_location(Bucket="boto-buckets")["LocationConstraint"] is None
    with pytest.raises(ClientError) as excinfo:
        s3.create_bucket(Bucket="boto-buckets")
    assert error_code(excinfo) == "BucketAlreadyOwnedByYou"
    with pytest.raises(ClientError) as excinfo:
        s3.create_bucket(Bucket="Invalid_Name")
    assert error_code(excinfo) == "InvalidBucketName"
    s3.put_object(Bucket="boto-buckets", Key="x", Body=b"x")
    with pytest.raises(ClientError) as excinfo:
        s3.delete_bucket(Bucket="boto-buckets")
    assert error_code(excinfo) == "BucketNotEmpty"
    s3.delete_object(Bucket="boto-buckets", Key="x")
    s3.delete_bucket(Bucket="boto-buckets")
    s3.delete_bucket(Bucket="boto-buckets-2")
    with pytest.raises(ClientError) as excinfo:
        s3.head_bucket(Bucket="boto-buckets")
    assert excinfo.value.response["Error"]["Code"] == "404"
    with pytest.raises(ClientError) as excinfo:
        s3.list_objects_v2(Bucket="boto-buckets")
    assert error_code(excinfo) == "NoSuchBucket"


def test_put_get_with_metadata_and_checksums(s3, bucket):
    body = b"hello divan " * 1000
    put = s3.put_object(
        Bucket=bucket, Key="docs/hello.txt", Body=body, ContentType="text/plain", ContentEncoding="identity",
        ContentDisposition='attachment; filename="hello.txt"', ContentLanguage="en", CacheControl="no-cache",
        Expires=datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc), Metadata={"colour": "blue", "n": "1"})
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    assert put["ChecksumCRC32"]  # boto3 sent x-amz-checksum-crc32 by default; the server echoes it
    got = s3.get_object(Bucket=bucket, Key="docs/hello.txt", ChecksumMode="ENABLED")
    assert got["Body"].read() == body  # botocore validated the returned CRC32 while reading
    assert got["ChecksumCRC32"] == put["ChecksumCRC32"]
    assert got["ContentType"] == "text/plain" and got["Metadata"] == {"colour": "blue", "n": "1"}
    assert got["ContentDisposition"] == 'attachment; filename="hello.txt"' and got["ContentLanguage"] == "en"
    assert got["CacheControl"] == "no-cache" and got["ContentEncoding"] == "identity"
    assert got["Expires"].year == 2030 and got["ContentLength"] == len(body)
    head = s3.head_object(Bucket=bucket, Key="docs/hello.txt")
    assert head["ETag"] == put["ETag"] and head["ContentLength"] == len(body) and head["AcceptRanges"] == "bytes"
    overridden = s3.get_object(Bucket=bucket, Key="docs/hello.txt", ResponseContentType="application/json",
                               ResponseContentDisposition="inline")
    assert overridden["ContentType"] == "application/json" and overridden["ContentDisposition"] == "inline"
    for algorithm in ("SHA1", "SHA256"):  # CRC32C needs awscrt in botocore; the Swift tests cover it
        reply = s3.put_object(Bucket=bucket, Key=f"sum-{algorithm}", Body=body, ChecksumAlgorithm=algorithm)
        assert reply[f"Checksum{algorithm}"]
        again = s3.get_object(Bucket=bucket, Key=f"sum-{algorithm}", ChecksumMode="ENABLED")
        assert again["Body"].read() == body and again[f"Checksum{algorithm}"] == reply[f"Checksum{algorithm}"]
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="nope")
    assert error_code(excinfo) == "NoSuchKey"


def test_trailing_checksum_upload(s3, bucket, monkeypatch):
    """Over HTTPS current botocore sends STREAMING-UNSIGNED-PAYLOAD-TRAILER with the CRC32
    in a trailer of an aws-chunked, HTTP-chunked body; make it do so over plain HTTP."""
    real = urlparse
    monkeypatch.setattr(botocore.httpchecksum, "urlparse", lambda url: real(url)._replace(scheme="https"))
    body = bytes(range(256)) * 4096
    put = s3.put_object(Bucket=bucket, Key="trailer.bin", Body=io.BytesIO(body))
    assert put["ChecksumCRC32"]
    got = s3.get_object(Bucket=bucket, Key="trailer.bin", ChecksumMode="ENABLED")
    assert got["Body"].read() == body and got["ChecksumCRC32"] == put["ChecksumCRC32"]
    part_body = b"p" * (5 << 20)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="trailer-mp", ChecksumAlgorithm="CRC32")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="trailer-mp", UploadId=upload, PartNumber=1, Body=io.BytesIO(part_body),
                          ChecksumAlgorithm="CRC32")
    s3.complete_multipart_upload(Bucket=bucket, Key="trailer-mp", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": part["ETag"], "ChecksumCRC32": part["ChecksumCRC32"]}]})
    assert s3.get_object(Bucket=bucket, Key="trailer-mp")["Body"].read() == part_body


def test_ranges_and_conditions(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="digits", Body=b"0123456789")
    ranged = s3.get_object(Bucket=bucket, Key="digits", Range="bytes=3-6")
    assert ranged["Body"].read() == b"3456" and ranged["ContentRange"] == "bytes 3-6/10"
    assert s3.get_object(Bucket=bucket, Key="digits", Range="bytes=-2")["Body"].read() == b"89"
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="digits", Range="bytes=20-30")
    assert error_code(excinfo) == "InvalidRange"
    assert s3.get_object(Bucket=bucket, Key="digits", IfMatch=put["ETag"])["Body"].read() == b"0123456789"
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="digits", IfMatch='"nope"')
    assert error_code(excinfo) == "PreconditionFailed"
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="digits", IfNoneMatch=put["ETag"])
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="digits", IfModifiedSince=future)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    assert s3.get_object(Bucket=bucket, Key="digits", IfModifiedSince=past)["ContentLength"] == 10
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="digits", IfUnmodifiedSince=past)
    assert error_code(excinfo) == "PreconditionFailed"


def test_copy(s3, bucket):
    source = s3.put_object(Bucket=bucket, Key="src", Body=b"copy body", ContentType="text/x", Metadata={"a": "1"})
    copied = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert copied["CopyObjectResult"]["ETag"] == source["ETag"]
    head = s3.head_object(Bucket=bucket, Key="dst")
    assert head["Metadata"] == {"a": "1"} and head["ContentType"] == "text/x"
    s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src", MetadataDirective="REPLACE",
                   Metadata={"b": "2"}, ContentType="text/y")
    head = s3.head_object(Bucket=bucket, Key="dst")
    assert head["Metadata"] == {"b": "2"} and head["ContentType"] == "text/y"
    with pytest.raises(ClientError) as excinfo:
        s3.copy_object(Bucket=bucket, Key="dst2", CopySource=f"{bucket}/src", CopySourceIfMatch='"other"')
    assert error_code(excinfo) == "PreconditionFailed"
    s3.copy_object(Bucket=bucket, Key="weird key +é?#%", CopySource={"Bucket": bucket, "Key": "src"})
    assert s3.get_object(Bucket=bucket, Key="weird key +é?#%")["Body"].read() == b"copy body"
    s3.copy_object(Bucket=bucket, Key="again", CopySource={"Bucket": bucket, "Key": "weird key +é?#%"})


def test_listings_and_batch_delete(s3, bucket):
    keys = ["a", "b/1", "b/2", "b/c/3", "d e+f", "é/ü", "z%25"] + [f"many/{i:04}" for i in range(30)]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    listed = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": 7}):
        listed += [item["Key"] for item in page.get("Contents", [])]
    assert listed == sorted(keys, key=lambda k: k.encode())
    top = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["b/", "many/", "é/"]
    assert [item["Key"] for item in top["Contents"]] == ["a", "d e+f", "z%25"]
    inner = s3.list_objects_v2(Bucket=bucket, Prefix="b/", Delimiter="/", FetchOwner=True)
    assert [item["Key"] for item in inner["Contents"]] == ["b/1", "b/2"] and inner["Contents"][0]["Owner"]["ID"]
    v1 = []
    for page in s3.get_paginator("list_objects").paginate(Bucket=bucket, Prefix="many/", PaginationConfig={"PageSize": 8}):
        v1 += [item["Key"] for item in page.get("Contents", [])]
    assert v1 == [f"many/{i:04}" for i in range(30)]
    versions = s3.list_object_versions(Bucket=bucket, Prefix="b/")
    assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in versions["Versions"]] == [
        ("b/1", "null", True), ("b/2", "null", True), ("b/c/3", "null", True)]
    deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "d e+f"}, {"Key": "missing"}]})
    assert sorted(d["Key"] for d in deleted["Deleted"]) == ["a", "d e+f", "missing"]
    quiet = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[5:]], "Quiet": True})
    assert "Deleted" not in quiet and "Errors" not in quiet
    assert [item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["b/1", "b/2", "b/c/3"]


def test_multipart(s3, bucket):
    parts = [b"A" * (5 << 20), b"B" * (5 << 20), b"tail"]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp", ContentType="application/zip",
                                        ChecksumAlgorithm="CRC32")["UploadId"]
    etags = []
    for number, data in enumerate(parts, 1):
        reply = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=number, Body=data,
                               ChecksumAlgorithm="CRC32")
        etags.append({"PartNumber": number, "ETag": reply["ETag"], "ChecksumCRC32": reply["ChecksumCRC32"]})
    assert [p["PartNumber"] for p in s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload)["Parts"]] == [1, 2, 3]
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]] == [upload]
    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload,
                                     MultipartUpload={"Parts": [etags[1], etags[0]]})
    assert error_code(excinfo) == "InvalidPartOrder"
    done = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload={"Parts": etags})
    md5s = b"".join(hashlib.md5(p).digest() for p in parts)
    assert done["ETag"] == '"%s-3"' % hashlib.md5(md5s).hexdigest()
    again = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload={"Parts": etags})
    assert again["ETag"] == done["ETag"]
    got = s3.get_object(Bucket=bucket, Key="mp", ChecksumMode="ENABLED")
    assert got["Body"].read() == b"".join(parts) and got["ContentType"] == "application/zip"
    copy = s3.create_multipart_upload(Bucket=bucket, Key="mp-copy")["UploadId"]
    first = s3.upload_part_copy(Bucket=bucket, Key="mp-copy", UploadId=copy, PartNumber=1,
                                CopySource={"Bucket": bucket, "Key": "mp"}, CopySourceRange=f"bytes=0-{(6 << 20) - 1}")
    second = s3.upload_part_copy(Bucket=bucket, Key="mp-copy", UploadId=copy, PartNumber=2,
                                 CopySource={"Bucket": bucket, "Key": "mp"}, CopySourceRange=f"bytes={6 << 20}-{(10 << 20) + 3}")
    s3.complete_multipart_upload(Bucket=bucket, Key="mp-copy", UploadId=copy, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": first["CopyPartResult"]["ETag"]},
        {"PartNumber": 2, "ETag": second["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="mp-copy")["Body"].read() == b"".join(parts)
    gone = s3.create_multipart_upload(Bucket=bucket, Key="gone")["UploadId"]
    s3.abort_multipart_upload(Bucket=bucket, Key="gone", UploadId=gone)
    with pytest.raises(ClientError) as excinfo:
        s3.list_parts(Bucket=bucket, Key="gone", UploadId=gone)
    assert error_code(excinfo) == "NoSuchUpload"


def test_lifecycle_expires_objects(s3, bucket):
    for key in ("tmp/1", "tmp/2", "keep"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    with pytest.raises(ClientError) as excinfo:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert error_code(excinfo) == "NoSuchLifecycleConfiguration"
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "tmp", "Filter": {"Prefix": "tmp/"}, "Status": "Enabled",
         "Expiration": {"Date": datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)}},
        {"ID": "mpu", "Filter": {"Prefix": ""}, "Status": "Enabled",
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3}}]})
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert [r["ID"] for r in rules] == ["tmp", "mpu"]
    deadline = time.time() + 10
    while time.time() < deadline:
        keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        if keys == ["keep"]:
            break
        time.sleep(0.2)
    assert keys == ["keep"]
    s3.delete_bucket_lifecycle(Bucket=bucket)
    with pytest.raises(ClientError):
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)


def test_file_uploads_do_not_stall_on_expect_continue(s3, bucket):
    """botocore sends Expect: 100-continue with file bodies and waits up to a second for
    the interim answer: twenty uploads take well under twenty seconds only if it comes."""
    start = time.time()
    for i in range(20):
        s3.upload_fileobj(io.BytesIO(b"z" * 2000), bucket, f"file-{i}")
    assert time.time() - start < 8
    assert s3.get_object(Bucket=bucket, Key="file-19")["Body"].read() == b"z" * 2000


def test_wrong_credentials_are_refused(s3_server, bucket):
    s3 = s3_server.client()
    s3.put_object(Bucket=bucket, Key="secret", Body=b"s")
    unknown = make_client(s3_server.endpoint, access_key="AKIAUNKNOWN000000000")
    with pytest.raises(ClientError) as excinfo:
        unknown.get_object(Bucket=bucket, Key="secret")
    assert error_code(excinfo) == "InvalidAccessKeyId"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    wrong = make_client(s3_server.endpoint, secret_key="not-the-secret")
    with pytest.raises(ClientError) as excinfo:
        wrong.put_object(Bucket=bucket, Key="secret", Body=b"overwritten")
    assert error_code(excinfo) == "SignatureDoesNotMatch"
    assert s3.get_object(Bucket=bucket, Key="secret")["Body"].read() == b"s"
