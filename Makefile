# Divan: every target installs what it needs (Debian packages, Python packages) first.
# `make run` starts the server with embedded defaults; `make test` runs every test.

SWIFT ?= swift
APT_PACKAGES := liblmdb-dev libzstd-dev zlib1g-dev libicu-dev libjavascriptcoregtk-4.1-dev pkg-config
# Clients the tests drive that come from Debian rather than PyPI.
TEST_APT_PACKAGES := rclone
# The HTTP load generator of the benchmarks.
BENCH_APT_PACKAGES := wrk
PIP_PACKAGES := CouchDB pycouchdb pytest requests boto3 awscli s3cmd minio
PIP_MODULES := couchdb pycouchdb pytest requests boto3 awscli S3 minio
BUILD_FLAGS ?=

.PHONY: run test interop record bench deps testdeps apt pydeps build clean

deps:
	@$(MAKE) --no-print-directory apt PACKAGES="$(APT_PACKAGES)"

testdeps:
	@$(MAKE) --no-print-directory apt PACKAGES="$(APT_PACKAGES) $(TEST_APT_PACKAGES)"

apt:
	@missing=""; \
	for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

pydeps:
	@for m in $(PIP_MODULES); do python3 -c "import $$m" 2>/dev/null || missing=1; done; \
	if [ -n "$$missing" ]; then echo "installing Python packages"; python3 -m pip install -q $(PIP_PACKAGES); fi

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

# Serves with embedded defaults: 127.0.0.1:5984, data in ./divan-data, an admin
# password generated and printed at first start (or DIVAN_ADMIN_USER/PASSWORD).
run: build
	$(SWIFT) run $(BUILD_FLAGS) divan serve $(ARGS)

test: testdeps pydeps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	$(SWIFT) test --skip-build --disable-xctest $(BUILD_FLAGS)
	python3 -m pytest -q Tests/clients

# Replication against a real Apache CouchDB 3.4.3 (COUCHDB_URL, default
# http://admin:password@127.0.0.1:5984; ../shared/peers/build-couchdb.sh builds one) and
# between two Divan servers. Uses the built divan (DIVAN_BINARY, or .build/debug|release).
interop: pydeps
	python3 -m pytest -q Tests/interop

# Re-records Tests/clients/differential/fixtures from a running Apache CouchDB 3.4.3
# (COUCHDB_URL, default http://127.0.0.1:5984, admin/password, [cluster] q = 1).
record: pydeps
	python3 Tests/clients/differential/record.py $(SCENARIOS)

bench:
	@$(MAKE) --no-print-directory apt PACKAGES="$(APT_PACKAGES) $(BENCH_APT_PACKAGES)"
	cd Benchmarks && $(SWIFT) run -c release divan-bench $(ARGS)

clean:
	rm -rf .build Benchmarks/.build
