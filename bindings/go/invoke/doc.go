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
package invoke
