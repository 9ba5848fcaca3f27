# libcniinvoke — build, demo, test.
#
#   make demo   build and run the main job on the bundled test plugin
#   make test   install what is missing, then run every test suite

CARGO ?= cargo
PLUGIN := target/debug/cni-test-plugin

.PHONY: all build demo test deps lint rust-test clean fuzz soak

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

# Hardening. `make fuzz` runs every cargo-fuzz target for FUZZ_SECONDS
# (nightly toolchain; cargo-fuzz is installed if missing). New corpus
# entries go to fuzz/work/ (not committed), crashes to fuzz/artifacts/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := decode_version result plugin_info args cni_error go_quote
fuzz:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/work/$$t && \
	  echo "== fuzz $$t for $(FUZZ_SECONDS)s" && \
	  $(CARGO) +nightly fuzz run $$t fuzz/work/$$t fuzz/corpus/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    || exit 1; \
	done

# 100,000 calls per soak phase, each phase bounded to CNI_SOAK_SECONDS.
SOAK_CALLS ?= 100000
SOAK_SECONDS ?= 600
soak: build
	CNI_SOAK_CALLS=$(SOAK_CALLS) CNI_SOAK_SECONDS=$(SOAK_SECONDS) \
	  $(CARGO) test --test soak -- --nocapture
