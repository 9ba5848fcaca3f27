// Package invoke is a drop-in replacement for
// github.com/containernetworking/cni/pkg/invoke (v1.3.0) that finds, runs
// and decodes CNI plugins through libcniinvoke's C ABI.
//
// It exports the same identifiers with the same signatures as upstream, so
// a program switches by changing only the import path. Results are
// upstream's types.Result values, version reports upstream's
// version.PluginInfo, and plugin errors *types.Error.
//
// Where it goes further than upstream: a context.Context's cancellation
// and deadline kill the plugin's whole process group, and the error then
// satisfies errors.Is(err, ctx.Err()).
//
// The package links libcniinvoke.a from the repository's target/release
// directory: run `make lib` (or `cargo build --release --lib --features
// capi`) at the repository root first.
//
// Built with the tag cniinvoke_pkgconfig, it takes the header and the
// shared library of an installed libcniinvoke from pkg-config instead
// (cniinvoke.pc on PKG_CONFIG_PATH).
//
// SetLogger sends one log/slog record per plugin run and per list
// operation to a logger of the caller's choice (off by default).
package invoke
