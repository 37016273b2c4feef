"""The S3 listener for client suites: `divan serve` with an S3 port and root
credentials from DIVAN_S3_ACCESS_KEY/DIVAN_S3_SECRET_KEY, and clients configured for it.

This directory is a package (it has __init__.py) so that this conftest imports as
`s3.conftest` and never shadows Tests/clients/conftest.py, which the CouchDB suites
import as `conftest`."""
import os
import re
import time

import boto3
import pytest
import requests
from botocore.config import Config

from conftest import Server, free_port

ACCESS_KEY = "DIVANCLIENTTEST00001"
SECRET_KEY = "divan-client-test/secret+key"
REGION = "us-east-1"


class S3Server(Server):
    """`divan serve` with the S3 listener on a free port (the CouchDB one is needed to
    know when the process is up)."""

    def __init__(self):
        self.s3_port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.s3_port}"
        saved = {name: os.environ.get(name) for name in ("DIVAN_S3_ACCESS_KEY", "DIVAN_S3_SECRET_KEY")}
        os.environ.update(DIVAN_S3_ACCESS_KEY=ACCESS_KEY, DIVAN_S3_SECRET_KEY=SECRET_KEY)
        try:
            # A later --s3-port overrides the 0 the base class passes.
            super().__init__(extra_args=("--s3-port", str(self.s3_port)))
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                requests.get(self.endpoint, timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the S3 listener did not start:\n" + self.output())

    def client(self, **config):
        return make_client(self.endpoint, **config)

    def cli_environment(self):
        """Environment for awscli and friends: these credentials, no user configuration."""
        return dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY,
                    AWS_DEFAULT_REGION=REGION, AWS_CONFIG_FILE="/dev/null",
                    AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true")


def make_client(endpoint, access_key=ACCESS_KEY, secret_key=SECRET_KEY, **config):
    """A boto3 client with its current defaults (checksums when supported), path style."""
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, **config))


def pytest_configure(config):
    config.addinivalue_line("markers", "big: multi-gigabyte transfers (run in make test, take minutes)")


@pytest.fixture(scope="session")
def s3_server():
    instance = S3Server()
    yield instance
    instance.stop()


@pytest.fixture
def s3(s3_server):
    return s3_server.client()


@pytest.fixture
def bucket(s3, request):
    """A fresh bucket named after the test, emptied and removed afterwards."""
    name = re.sub("[^a-z0-9]+", "-", "t-" + request.node.name.lower())[:63].strip("-")
    s3.create_bucket(Bucket=name)
    yield name
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})
    for upload in s3.list_multipart_uploads(Bucket=name).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"])
    s3.delete_bucket(Bucket=name)
