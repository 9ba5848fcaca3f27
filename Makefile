# libcniinvoke — build, demo, test, install.
#
#   make demo     build, then the main job on the bundled test plugin
#   make test     install what is missing, lint, run every test suite
#   make lib      the C library (libcniinvoke.so/.a; cargo feature `capi`),
#                 its soname link and cniinvoke-uninstalled.pc
#   make header   refresh the committed C header (include/cniinvoke.h)
#   make docs     the Rust API reference (target/doc) and the crate package
#   make install PREFIX=/usr/local [DESTDIR=...]

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
CARGO ?= cargo
CC ?= cc
TARGET_DIR ?= $(if $(CARGO_TARGET_DIR),$(CARGO_TARGET_DIR),target)
RELEASE := $(TARGET_DIR)/release
PLUGIN := $(TARGET_DIR)/debug/cni-test-plugin
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
SOMAJOR := 0

# Debian packages the suites need (CI starts from a fresh machine): the real
# CNI plugins, iproute2 and iptables (portmap runs it) for the end-to-end
# tests, valgrind, pkg-config, clang and its sanitizer runtime (ASan, LSan,
# UBSan) for the C tests, man-db for the man-page test.
DEB_PACKAGES := containernetworking-plugins iproute2 iptables valgrind pkg-config gcc g++ man-db \
	clang libclang-rt-14-dev

# As root (where `make deps` installs every tool) the real-plugin,
# sanitizer, valgrind, make-install/pkg-config, Go differential and tmpfs
# fault tests must run, not skip. The core-dump test is required only where the kernel
# writes cores as a plain file name: a pipe (systemd-coredump, apport) or an
# absolute path in core_pattern would put the test's cores elsewhere on the
# machine, and core_pattern is the machine's, not ours to change. There the
# test skips and says why.
ifeq ($(shell id -u),0)
export CNI_REQUIRE_REAL_PLUGINS := 1
export CNI_REQUIRE_SANITIZERS := 1
export CNI_REQUIRE_GO := 1
export CNI_REQUIRE_VALGRIND := 1
export CNI_REQUIRE_PKGCONFIG := 1
CORE_PATTERN := $(shell cat /proc/sys/kernel/core_pattern 2>/dev/null)
ifneq ($(CORE_PATTERN),)
ifeq ($(findstring /,$(CORE_PATTERN))$(findstring |,$(CORE_PATTERN)),)
export CNI_REQUIRE_COREDUMP := 1
endif
endif
export CNI_REQUIRE_ROOT_FAULTS := 1
endif

.PHONY: all build lib header install uninstall demo demo-c deps lint lint-rust lint-go lint-python \
	rust-test test-c test-python test clean fuzz soak mutants

# The C ABI (src/ffi, the cni_* symbols, the header) is the cargo feature
# `capi` of the root crate; the Rust core and the Python binding build
# without it.
CAPI := --features cniinvoke/capi

all: build lib

build:
	$(CARGO) build --workspace

# A build tree C programs link and run against: the soname link beside the
# library, and cniinvoke-uninstalled.pc (pkg-config picks it over an
# installed cniinvoke.pc when PKG_CONFIG_PATH names $(RELEASE)/pkgconfig;
# its Libs carry an rpath to $(RELEASE), so programs run as built).
lib:
	$(CARGO) build --release --lib $(CAPI)
	ln -sf libcniinvoke.so $(RELEASE)/libcniinvoke.so.$(SOMAJOR)
	mkdir -p $(RELEASE)/pkgconfig
	$(call write_pc,$(abspath .),$(abspath $(RELEASE)),$(abspath include),$(PC_RPATH_FLAG),$(RELEASE)/pkgconfig/cniinvoke-uninstalled.pc)

# cniinvoke.pc.in filled in: prefix, libdir, includedir, the rpath flag
# (or nothing), the output file.
define write_pc
	sed -e 's|@PREFIX@|$(1)|g' -e 's|@LIBDIR@|$(2)|g' -e 's|@INCLUDEDIR@|$(3)|g' \
	    -e 's|@VERSION@|$(VERSION)|g' -e 's|@RPATH@|$(4)|g' cniinvoke.pc.in > $(5)
endef

# The installed cniinvoke.pc carries an rpath to LIBDIR unless LIBDIR is
# one the dynamic loader searches anyway, so that a program built with
# `pkg-config --libs cniinvoke` against a private PREFIX runs without
# LD_LIBRARY_PATH. PC_RPATH= (empty) turns it off.
PC_RPATH_FLAG := -Wl,-rpath,$${libdir}
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
LOADER_LIBDIRS := /lib /lib64 /usr/lib /usr/lib64 /usr/local/lib \
	$(if $(MULTIARCH),/lib/$(MULTIARCH) /usr/lib/$(MULTIARCH))
PC_RPATH ?= $(if $(filter $(patsubst %/,%,$(LIBDIR)),$(LOADER_LIBDIRS)),,$(PC_RPATH_FLAG))

# build.rs generates the header into cargo's OUT_DIR; this writes it over
# the committed copy (the `header` test fails while the two differ).
header:
	CNIINVOKE_WRITE_HEADER=1 $(CARGO) test -q $(CAPI) --test header

install: lib install-cli
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 0755 $(RELEASE)/libcniinvoke.so $(DESTDIR)$(LIBDIR)/libcniinvoke.so.$(VERSION)
	ln -sf libcniinvoke.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libcniinvoke.so.$(SOMAJOR)
	ln -sf libcniinvoke.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libcniinvoke.so
	install -m 0644 $(RELEASE)/libcniinvoke.a $(DESTDIR)$(LIBDIR)/libcniinvoke.a
	install -m 0644 include/cniinvoke.h include/cniinvoke.hpp $(DESTDIR)$(INCLUDEDIR)/
	$(call write_pc,$(PREFIX),$(LIBDIR),$(INCLUDEDIR),$(PC_RPATH),$(DESTDIR)$(PKGCONFIGDIR)/cniinvoke.pc)

# The command line with its man pages and bash/zsh/fish completions, all
# generated from its own definition by the built binary.
CLI_BIN := $(RELEASE)/cniinvoke
.PHONY: install-cli
install-cli:
	$(CARGO) build --release --bin cniinvoke
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(DATADIR)/bash-completion/completions $(DESTDIR)$(DATADIR)/zsh/site-functions \
	    $(DESTDIR)$(DATADIR)/fish/vendor_completions.d
	install -m 0755 $(CLI_BIN) $(DESTDIR)$(BINDIR)/cniinvoke
	$(CLI_BIN) man --out-dir $(DESTDIR)$(MANDIR)/man1
	$(CLI_BIN) completions bash > $(DESTDIR)$(DATADIR)/bash-completion/completions/cniinvoke
	$(CLI_BIN) completions zsh > $(DESTDIR)$(DATADIR)/zsh/site-functions/_cniinvoke
	$(CLI_BIN) completions fish > $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/cniinvoke.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cniinvoke $(DESTDIR)$(MANDIR)/man1/cniinvoke.1 \
	      $(DESTDIR)$(MANDIR)/man1/cniinvoke-*.1 \
	      $(DESTDIR)$(DATADIR)/bash-completion/completions/cniinvoke \
	      $(DESTDIR)$(DATADIR)/zsh/site-functions/_cniinvoke \
	      $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/cniinvoke.fish
	rm -f $(DESTDIR)$(LIBDIR)/libcniinvoke.so $(DESTDIR)$(LIBDIR)/libcniinvoke.so.$(SOMAJOR) \
	      $(DESTDIR)$(LIBDIR)/libcniinvoke.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libcniinvoke.a \
	      $(DESTDIR)$(INCLUDEDIR)/cniinvoke.h $(DESTDIR)$(INCLUDEDIR)/cniinvoke.hpp \
	      $(DESTDIR)$(PKGCONFIGDIR)/cniinvoke.pc

# The C example, built against the release library.
demo-c: lib
	mkdir -p $(RELEASE)/examples
	$(CC) -std=c11 -Wall -Wextra -Iinclude examples/c/demo.c -L$(RELEASE) \
	    -Wl,-rpath,$(abspath $(RELEASE)) -lcniinvoke -o $(RELEASE)/examples/cniinvoke-demo

demo: build demo-c
	@echo "== Rust API"
	$(CARGO) run -q --example demo -- $(PLUGIN)
	@echo "== C ABI"
	$(RELEASE)/examples/cniinvoke-demo $(PLUGIN)
	@echo "== command line"
	$(TARGET_DIR)/debug/cniinvoke version $(PLUGIN)
	echo '{"cniVersion":"1.1.0","name":"demo-net","type":"cni-test-plugin"}' > $(TARGET_DIR)/demo-net.json
	$(TARGET_DIR)/debug/cniinvoke add $(PLUGIN) --netconf $(TARGET_DIR)/demo-net.json --netns /var/run/netns/demo
	$(TARGET_DIR)/debug/cniinvoke check $(PLUGIN) --netconf $(TARGET_DIR)/demo-net.json --netns /var/run/netns/demo && echo "CHECK ok"
	$(TARGET_DIR)/debug/cniinvoke del $(PLUGIN) --netconf $(TARGET_DIR)/demo-net.json --netns /var/run/netns/demo && echo "DEL ok"
	@./examples/demo-real.sh $(TARGET_DIR)/debug/cniinvoke
	@./examples/demo-net.sh $(TARGET_DIR)/debug/cniinvoke $(PLUGIN)
	@echo "== Python"
	@$(MAKE) --no-print-directory demo-python

# The Python example, in .venv-py (made with the package if it lacks it).
.PHONY: demo-python
demo-python:
	$(CARGO) build -q -p cni-test-plugin
	@.venv-py/bin/python -c "import cniinvoke" 2>/dev/null || bindings/python/make-venv.sh
	.venv-py/bin/python examples/demo.py $(PLUGIN)

deps:
	@./.ci/deps.sh $(DEB_PACKAGES)

lint: lint-rust lint-go lint-python

# The root crate with and without the C ABI, and the Python binding's crate.
lint-rust:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy --workspace --all-targets $(CAPI) -- -D warnings
	cd bindings/python && $(CARGO) fmt -- --check && $(CARGO) clippy -q --all-targets -- -D warnings

GO_DIRS := bindings/go tests/libcni-conf-diff tests/libcni-interop bench/gofloor
lint-go:
	@for d in $(GO_DIRS); do \
	  [ -d $$d ] || continue; \
	  (cd $$d && test -z "$$(gofmt -l .)") || { gofmt -l $$d; echo "gofmt: files above need formatting"; exit 1; }; \
	  (cd $$d && go vet ./...) || exit 1; \
	done

# ruff over every Python file (bindings/python/pyproject.toml configures it
# for the binding; ruff's defaults elsewhere), from a venv of its own made
# with the binding's venv script when ruff is missing.
RUFF_VERSION := 0.17.5
RUFF_VENV := .venv-lint
PYTHON_SOURCES := bindings/python examples bench fuzz
lint-python:
	@$(RUFF_VENV)/bin/ruff --version 2>/dev/null | grep -qx 'ruff $(RUFF_VERSION)' || \
	  VENV=$(RUFF_VENV) PACKAGE=no bindings/python/make-venv.sh ruff==$(RUFF_VERSION)
	$(RUFF_VENV)/bin/ruff check --no-cache $(PYTHON_SOURCES)

rust-test: build
	$(CARGO) test --workspace $(CAPI)

test-c:
	$(CARGO) test $(CAPI) --test c_abi --test header

# The Python package: built into a fresh venv as a user installs it, then pytest.
test-python:
	bindings/python/run-tests.sh

# The Rust API reference and the published crate: rustdoc without a
# warning (the crate denies missing_docs; the doctests run in rust-test),
# then `cargo package`, whose verify build of the packaged crate (with the
# C ABI, so build.rs generates the header) fails if the crate lacks a file
# it needs or the build writes outside OUT_DIR.
.PHONY: docs
docs:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --lib $(CAPI)
	$(CARGO) package --allow-dirty --features capi

test: deps lint rust-test docs test-python test-go

clean:
	$(CARGO) clean

# Hardening. `make fuzz` runs every cargo-fuzz target for FUZZ_SECONDS
# (fuzz/Cargo.toml turns the C ABI on by default for `c_entry_points`)
# (nightly toolchain; cargo-fuzz is installed if missing). New corpus
# entries go to fuzz/work/ (not committed), crashes to fuzz/artifacts/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := decode_version result plugin_info args cni_error go_quote c_entry_points \
  conf_list cache_entry inject_conf c_netlist
fuzz:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/work/$$t && \
	  echo "== fuzz $$t for $(FUZZ_SECONDS)s" && \
	  $(CARGO) +nightly fuzz run $$t fuzz/work/$$t fuzz/corpus/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    || exit 1; \
	done

# 100,000 calls per soak phase, each phase bounded to CNI_SOAK_SECONDS;
# then the network-list layer: 4 processes x 16 threads for SOAK_SECONDS
# (`make test` runs 20 s of it) and CRASH_ROUNDS hosts killed mid-chain
# (`make test` kills 200).
SOAK_CALLS ?= 100000
SOAK_SECONDS ?= 600
CRASH_ROUNDS ?= 1000
soak: build
	CNI_SOAK_CALLS=$(SOAK_CALLS) CNI_SOAK_SECONDS=$(SOAK_SECONDS) \
	  $(CARGO) test --test soak -- --nocapture
	CNI_LIBCNI_SOAK_SECONDS=$(SOAK_SECONDS) CNI_CRASH_ROUNDS=$(CRASH_ROUNDS) \
	  $(CARGO) test --test libcni_soak --test libcni_crash -- --nocapture

# The Go binding (bindings/go): gofmt, go vet, go test -race, after the
# static C library and the test plugin it links and runs.
.PHONY: test-go
test-go: lint-go
	$(CARGO) build --release --lib $(CAPI)
	$(CARGO) build -p cni-test-plugin
	# Go's build cache does not hash the static library the cgo flags name;
	# a define carrying its hash makes a rebuilt library relink the tests.
	cd bindings/go && CGO_CFLAGS="$${CGO_CFLAGS:--O2 -g} -DCNIINVOKE_LIB_HASH=$$(sha256sum ../../$(RELEASE)/libcniinvoke.a | cut -c1-16)" \
	    CNI_TEST_PLUGIN=$(abspath $(PLUGIN)) go test -race -count=1 -timeout 30m ./...
	# Upstream v1.3.0's own pkg/invoke and libcni suites, pointed at this binding.
	CGO_CFLAGS="$${CGO_CFLAGS:--O2 -g} -DCNIINVOKE_LIB_HASH=$$(sha256sum $(RELEASE)/libcniinvoke.a | cut -c1-16)" \
	    bindings/go/upstream-suite.sh -count=1 -ginkgo.no-color

# The comparative benchmark (not part of `make test`; several minutes):
# builds every contender, runs the workloads in rounds and writes
# docs/bench.md, docs/bench.csv and docs/bench.png (see bench/run.py).
# The VERSION workload uses Debian's bridge plugin, installed if missing;
# the instruction counts valgrind's callgrind. Run it on a quiet machine.
.PHONY: bench
bench:
	@./.ci/deps.sh containernetworking-plugins gcc valgrind
	python3 bench/run.py

# Mutation testing (not part of `make test`; long): cargo-mutants (installed
# if missing) over MUTANTS_FILES with the suites that test them, one job at
# a time, each mutant's tests bounded to MUTANTS_TIMEOUT seconds. The counts
# and every surviving mutant go to docs/mutants.md, the caught/total figure
# to the README (.ci/mutants-report.py); each file's latest outcomes are kept
# in docs/mutants-results.json, so runs over different files add up. Narrow
# a run with MUTANTS_FILES=... or MUTANTS_ARGS="-F regex" (which updates
# only the mutants it ran); MUTANTS_ARGS=--in-place mutates this tree and
# reuses target/ (one job; git checkout src/ if the run is killed).
# cargo-mutants exits 2 when mutants survive, 3 on time-outs.
MUTANTS_ALL := src/args.rs src/env.rs src/environ_snapshot.rs src/context.rs src/find.rs src/exec.rs src/raw_exec.rs src/raw_exec/buffers.rs \
	src/delegate.rs src/goquote.rs \
	src/libcni/validate.rs src/libcni/cache.rs src/libcni/lock.rs src/libcni/record.rs \
	src/libcni/parse.rs src/libcni/inject.rs src/libcni/parsed.rs src/libcni/base64.rs \
	$(wildcard src/libcni/ops/*.rs) src/types/gojson.rs src/types/decode.rs \
	src/types/direct100.rs src/types/scan.rs src/overlay_memo.rs src/libcni/record_direct.rs
MUTANTS_FILES ?= $(MUTANTS_ALL)
MUTANTS_TESTS ?= --lib --test types --test args_env --test env_overlay --test context_environ --test find --test exec --test raw_exec \
	--test delegate \
	--test go_quote --test text_busy --test kill_grace --test no_threads \
	--test libcni_ops --test libcni_cache --test libcni_concurrency --test libcni_conf \
	--test libcni_conf_dirs --test libcni_conf_diff --test libcni_interop_diff
MUTANTS_TIMEOUT ?= 120
MUTANTS_ARGS ?=
mutants:
	@command -v cargo-mutants >/dev/null || $(CARGO) install --locked cargo-mutants
	$(CARGO) build -q -p cni-test-plugin
	nice $(CARGO) mutants $(if $(findstring --in-place,$(MUTANTS_ARGS)),,--jobs 1) \
	    --timeout $(MUTANTS_TIMEOUT) $(foreach f,$(MUTANTS_FILES),--file $(f)) \
	    $(MUTANTS_ARGS) -- $(MUTANTS_TESTS); status=$$?; \
	  case $$status in 0|2|3) MUTANTS_ALL="$(MUTANTS_ALL)" \
	    MUTANTS_NARROWED=$(if $(filter -F% -E% --re% --exclude-re% --in-diff% --iterate,$(MUTANTS_ARGS)),1,0) \
	    python3 .ci/mutants-report.py mutants.out $(MUTANTS_FILES) || exit 1;; esac; \
	  exit $$status
