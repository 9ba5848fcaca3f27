// Package libcni is a drop-in replacement for
// github.com/containernetworking/cni/libcni (v1.3.0): network
// configuration lists run, cached, checked, deleted, garbage-collected and
// loaded by libcniinvoke's core through its C ABI.
//
// It exports the identifiers of upstream's api.go and conf.go with the
// same signatures, so a program switches by changing only the import
// path. Values are upstream's types (types.Result, types.PluginConf,
// *types.Error, version.PluginInfo); NewCNIConfig takes any value
// implementing upstream's invoke.Exec. The structs are plain data: a
// NetworkConfigList built by hand or edited after parsing runs as it
// reads (plugins found by Plugins[i].Network.Type, each sent its Bytes, the
// list's Bytes cached). The chain, the cache and the parsing run in the
// core; this package converts.
//
// Where it goes further than upstream: the context's cancellation and
// deadline bound the whole chain (a running plugin is killed); cache
// entries are written crash-safely; calls on one attachment take turns
// across threads and processes.
//
// The package links libcniinvoke.a from the repository's target/release
// directory: run `make lib` at the repository root first.
//
// Built with the tag cniinvoke_pkgconfig, it takes the header and the
// shared library of an installed libcniinvoke from pkg-config instead
// (cniinvoke.pc on PKG_CONFIG_PATH).
//
// SetLogger sends one log/slog record per plugin run and per list
// operation to a logger of the caller's choice (off by default).
package libcni
