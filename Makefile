# libcniinvoke: C library build and install.
#
#   make lib                      cargo build --release (libcniinvoke.so/.a, header)
#   make install PREFIX=/usr/local [DESTDIR=...]
#   make test-c                   the C/C++ ABI tests (cargo test --test c_abi)
#   make demo                     examples/c/demo against the built library

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
CARGO ?= cargo
CC ?= cc
TARGET_DIR ?= $(if $(CARGO_TARGET_DIR),$(CARGO_TARGET_DIR),target)
RELEASE := $(TARGET_DIR)/release
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
SOMAJOR := 0

.PHONY: all lib install uninstall test-c demo clean

all: lib

lib:
	$(CARGO) build --release --lib

install: lib
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 0755 $(RELEASE)/libcniinvoke.so $(DESTDIR)$(LIBDIR)/libcniinvoke.so.$(VERSION)
	ln -sf libcniinvoke.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libcniinvoke.so.$(SOMAJOR)
	ln -sf libcniinvoke.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libcniinvoke.so
	install -m 0644 $(RELEASE)/libcniinvoke.a $(DESTDIR)$(LIBDIR)/libcniinvoke.a
	install -m 0644 include/cniinvoke.h include/cniinvoke.hpp $(DESTDIR)$(INCLUDEDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    cniinvoke.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/cniinvoke.pc

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libcniinvoke.so $(DESTDIR)$(LIBDIR)/libcniinvoke.so.$(SOMAJOR) \
	      $(DESTDIR)$(LIBDIR)/libcniinvoke.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libcniinvoke.a \
	      $(DESTDIR)$(INCLUDEDIR)/cniinvoke.h $(DESTDIR)$(INCLUDEDIR)/cniinvoke.hpp \
	      $(DESTDIR)$(PKGCONFIGDIR)/cniinvoke.pc

test-c:
	$(CARGO) test --test c_abi

demo: lib
	mkdir -p $(RELEASE)/examples
	ln -sf libcniinvoke.so $(RELEASE)/libcniinvoke.so.$(SOMAJOR)
	$(CC) -std=c11 -Wall -Wextra -Iinclude examples/c/demo.c -L$(RELEASE) \
	    -Wl,-rpath,$(abspath $(RELEASE)) -lcniinvoke -o $(RELEASE)/examples/cniinvoke-demo
	@echo "built $(RELEASE)/examples/cniinvoke-demo"

clean:
	$(CARGO) clean
