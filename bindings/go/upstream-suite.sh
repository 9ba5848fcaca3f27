#!/bin/sh
# Upstream's own pkg/invoke and libcni Ginkgo suites (containernetworking/cni
# v1.3.0), run against this binding: their *_test.go files are copied from
# the Go module cache into a throw-away module, their import of
# github.com/containernetworking/cni/pkg/invoke (libcni) is pointed at
# bindings/go/invoke (bindings/go/libcni), and `go test` runs them. Nothing of upstream's is kept
# in the repository; the copy lives in a temporary directory removed on exit.
#
# Needs target/release/libcniinvoke.a (`make lib`). Extra arguments go to
# `go test` (e.g. -v, -count=1, -ginkgo.v).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cni_version=v1.3.0
# Ginkgo and Gomega at the versions upstream's go.mod asks for.
ginkgo_version=v2.20.1
gomega_version=v1.34.1
binding=github.com/libcniinvoke/libcniinvoke/bindings/go
upstream=github.com/containernetworking/cni

# Specs that cannot pass because of a deviation DESIGN.md documents. Each is
# skipped by a regular expression over its full Ginkgo text, with the reason.
#
skips=""
skip() {
	echo "upstream-suite: skipping /$1/: $2" >&2
	skips="${skips:+$skips|}$1"
}
skip "Invoking a sleep plugin .* when the plugin timeout returns the timeout error" \
	"a plugin killed at the deadline is a distinct timed-out error, not upstream's 'netplugin failed with no error message' (DESIGN.md, 'Cancellation and deadlines')"
skip "Invoking a single plugin DelNetwork when the cached result (is invalid JSON returns an error|version doesn.t match the config version returns an error when the cached result cannot be converted)" \
	"a corrupt or unusable cache entry never blocks DEL: it is removed and DEL goes on without it (DESIGN.md, 'Crash-safe cache')"

src=$(go env GOMODCACHE)/$upstream@$cni_version
if [ ! -d "$src/pkg/invoke" ]; then
	go mod download "$upstream@$cni_version"
fi

# The specs that build legacy plugins fetch old upstream commits by their
# git ref through the Go module proxy, which does not serve them on every
# day: when one of them cannot be had, those specs are skipped, saying so.
for ref in $(grep -ho '"[0-9a-f]\{7,8\}"' "$src/pkg/invoke/get_version_integration_test.go" \
	"$src/pkg/version/legacy_examples/"*.go | tr -d '"' | sort -u); do
	if ! go mod download "$upstream@$ref" >/dev/null 2>&1; then
		skip "GetVersion, integration tests correctly reporting plugin versions|Backwards compatibility" \
			"the legacy plugins they build need $upstream@$ref, which the Go module proxy does not serve now"
		break
	fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/cniinvoke-upstream-suite.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

mkdir "$work/invoke"
for f in "$src"/pkg/invoke/*_test.go; do
	# The suite's own package is invoke_test; only the package under test
	# changes. (The fakes, the noop test plugin and the version test helpers
	# stay upstream's.)
	sed "s#\"$upstream/pkg/invoke\"#\"$binding/invoke\"#" "$f" >"$work/invoke/$(basename "$f")"
done
# The same for libcni's suite: its package under test is pointed at
# bindings/go/libcni (the noop and sleep test plugins it builds, and the
# legacy examples, stay upstream's).
mkdir "$work/libcni"
for f in "$src"/libcni/*_test.go; do
	sed "s#\"$upstream/libcni\"#\"$binding/libcni\"#" "$f" >"$work/libcni/$(basename "$f")"
done
chmod -R u+w "$work"

cat >"$work/go.mod" <<EOF
module cniinvoke.test/upstream-suite

go 1.21

require (
	$binding v0.0.0
	$upstream $cni_version
	github.com/onsi/ginkgo/v2 $ginkgo_version
	github.com/onsi/gomega $gomega_version
)

replace $binding => $here
EOF

cd "$work"
go mod tidy >/dev/null
if grep -q "\"$upstream/pkg/invoke\"" invoke/*_test.go ||
	! grep -q "\"$binding/invoke\"" invoke/*_test.go ||
	grep -q "\"$upstream/libcni\"" libcni/*_test.go ||
	! grep -q "\"$binding/libcni\"" libcni/*_test.go; then
	echo "upstream-suite: an import of a package under test was not pointed at $binding" >&2
	exit 1
fi
set -- ./invoke ./libcni "$@"
if [ -n "$skips" ]; then
	set -- "$@" "-ginkgo.skip=$skips"
fi
go test "$@"
