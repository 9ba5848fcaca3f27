package libcni

import (
	"log/slog"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/internal/capi"
)

// SetLogger makes l receive one structured record for each list or configuration operation (AddNetworkList … GCNetworkList, ValidateNetworkList, GetStatusNetworkList and their single-network forms) and each plugin run within it,
// or turns the records off when l is nil (the default; off, the library
// builds none). The logger is process-wide and shared with the invoke
// package: the last SetLogger of either wins. Pass slog.Default() to use
// the default logger.
//
// A record's message is its kind and verb ("plugin ADD", "list DEL");
// its attributes are the library's event fields under their C names
// (cni_set_log_callback in cniinvoke.h): kind, verb, plugin_type,
// plugin_path, network, container_id, ifname, duration_us, outcome ("ok"
// or "error"), result_version, error_status, error_code, error_text and
// exit_status, absent ones left out. A successful plugin run is logged at
// slog.LevelDebug, a successful list operation at slog.LevelInfo, a
// failure at slog.LevelWarn; records the logger's handler does not enable
// are dropped. The handler is called while the call it reports is under
// way, possibly from several goroutines at once; it must not call
// SetLogger. A panic in the handler loses that record and nothing else.
func SetLogger(l *slog.Logger) { capi.SetLogger(l) }
