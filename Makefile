# libcniinvoke — build, demo, test.
#
#   make demo   build and run the main job on the bundled test plugin
#   make test   install what is missing, then run every test suite

CARGO ?= cargo
PLUGIN := target/debug/cni-test-plugin

.PHONY: all build demo test deps lint rust-test clean

all: build

build:
	$(CARGO) build --workspace

demo: build
	$(CARGO) run -q --example demo -- $(PLUGIN)

# Debian packages the suites need (CI starts from a fresh machine): the real
# CNI plugins and iproute2 for the end-to-end tests, valgrind, pkg-config.
DEB_PACKAGES := containernetworking-plugins iproute2 valgrind pkg-config gcc g++
deps:
	@./.ci/deps.sh $(DEB_PACKAGES)

# As root the real-plugin tests must run, not skip.
ifeq ($(shell id -u),0)
export CNI_REQUIRE_REAL_PLUGINS := 1
endif

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

rust-test: build
	$(CARGO) test --workspace

test: deps lint rust-test

clean:
	$(CARGO) clean

# The comparative benchmark (not part of `make test`; several minutes):
# builds every contender, runs the workloads in rounds and writes
# docs/bench.md, docs/bench.csv and docs/bench.png (see bench/run.py).
# The VERSION workload uses Debian's bridge plugin, installed if missing.
.PHONY: bench
bench:
	@./.ci/deps.sh containernetworking-plugins gcc
	python3 bench/run.py
