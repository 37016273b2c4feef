# Divan: every target installs what it needs (Debian packages, Python packages) first.
# `make run` starts the server with embedded defaults; `make test` runs every test.

SWIFT ?= swift
APT_PACKAGES := liblmdb-dev libzstd-dev pkg-config
BUILD_FLAGS ?=

.PHONY: run test bench deps build clean

deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

run: build
	$(SWIFT) run $(BUILD_FLAGS) divan $(ARGS)

test: deps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	$(SWIFT) test --skip-build --disable-xctest $(BUILD_FLAGS)

bench: deps
	cd Benchmarks && $(SWIFT) run -c release divan-bench $(ARGS)

clean:
	rm -rf .build Benchmarks/.build
