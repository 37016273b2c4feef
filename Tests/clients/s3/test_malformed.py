"""Malformed requests, signed and unsigned, over raw sockets: the server answers each
(or closes the connection), keeps serving, and stored objects stay intact."""
import random
import socket

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from .conftest import ACCESS_KEY, REGION, SECRET_KEY


def signed_headers(method, url, headers, body=b"", trailer=False):
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    if trailer:  # what makes botocore sign STREAMING-UNSIGNED-PAYLOAD-TRAILER
        request.context["checksum"] = {"request_algorithm": {"in": "trailer", "algorithm": "crc32"}}
    S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION).add_auth(request)
    return dict(request.headers)


def exchange(port, raw, timeout=10):
    """Sends raw bytes, returns what comes back until the server closes or goes quiet."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(raw)
        connection.shutdown(socket.SHUT_WR)
        received = b""
        try:
            while chunk := connection.recv(65536):
                received += chunk
        except (socket.timeout, ConnectionResetError):
            pass
        return received


def test_malformed_requests_do_not_hurt(s3_server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="precious", Body=b"keep me")
    port, endpoint = s3_server.s3_port, s3_server.endpoint
    generator = random.Random(42)
    aws_chunked = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": "10",
                   "x-amz-trailer": "x-amz-checksum-crc32"}
    cases = [
        (b"GARBAGE\r\n\r\n", None),
        (b"GET /" + bytes(generator.randrange(256) for _ in range(200)) + b" HTTP/1.1\r\nHost: x\r\n\r\n", None),
        (b"PUT /%zz/%%% HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", None),
        (b"GET /b HTTP/1.1\r\nHost: x\r\nAuthorization: AWS4-HMAC-SHA256 Credential=,,,===\r\n\r\n", None),
        (b"GET /b HTTP/1.1\r\nHost: x\r\nAuthorization: AWS \r\nDate: x\r\n\r\n", None),
        (b"GET /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=-1 HTTP/1.1\r\nHost: x\r\n\r\n", None),
        (b"GET /b?AWSAccessKeyId=a&Signature=b&Expires=nan HTTP/1.1\r\nHost: x\r\n\r\n", None),
    ]
    for body, extra in [
        (b"<Delete><Object><Key>precious</Key></Object>", {}),  # unterminated: MalformedXML, nothing deleted
        (b"<!DOCTYPE x [<!ENTITY a 'precious'>]><Delete><Object><Key>&a;</Key></Object></Delete>", {}),
        (b"\xff\xfe<Delete/>", {}),
    ]:
        url = f"{endpoint}/{bucket}?delete"
        headers = signed_headers("POST", url, {"Content-Type": "application/xml"}, body)
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        cases.append((f"POST /{bucket}?delete HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{head}Content-Length: {len(body)}\r\n\r\n"
                      .encode() + body, None))
    for chunked_body in [b"zz\r\nhello\r\n", b"a\r\n0123456789\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n",
                         b"ffffffffffffffff\r\nx", b"a;" + b"x" * 10000 + b"\r\n"]:
        url = f"{endpoint}/{bucket}/precious"
        headers = signed_headers("PUT", url, dict(aws_chunked), trailer=True)
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        cases.append((f"PUT /{bucket}/precious HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{head}Content-Length: {len(chunked_body)}\r\n\r\n"
                      .encode() + chunked_body, None))
    for raw, _ in cases:
        answer = exchange(port, raw)
        # A 4xx answer, or a closed connection (the HTTP parser refusing the bytes).
        assert answer == b"" or answer.startswith(b"HTTP/1.1 4"), answer[:300]
    for _ in range(50):
        noise = bytes(generator.randrange(256) for _ in range(generator.randrange(1, 2000)))
        exchange(port, b"PUT /" + bucket.encode() + b"/precious HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n" + noise)
    assert s3.get_object(Bucket=bucket, Key="precious")["Body"].read() == b"keep me"
    assert s3_server.process.poll() is None
