package invoke

import (
	"context"
	"errors"
	"io"
)

// RawExec runs plugins as child processes (through libcniinvoke). The
// stderr of a successful plugin is written to Stderr (nil: dropped; it
// still appears in the error of a failed plugin).
type RawExec struct {
	Stderr io.Writer
}

// errNoRawExecPlugin is what RawExec.ExecPlugin returns when called on its
// own: see its comment.
var errNoRawExecPlugin = errors.New("invoke: RawExec.ExecPlugin cannot be called directly: " +
	"libcniinvoke's C ABI has no call that returns a plugin's raw stdout; " +
	"pass the exec to ExecPluginWithResult, ExecPluginWithoutResult, GetVersionInfo or a Delegate function")

// ExecPlugin is part of the Exec interface. ExecPluginWithResult,
// ExecPluginWithoutResult, GetVersionInfo and the Delegate functions run a
// *DefaultExec in libcniinvoke without calling this method. Called
// directly (or through a Go type that embeds a RawExec and is used as an
// Exec) it fails: the C ABI offers no call that runs a plugin with an
// arbitrary environment and returns its raw stdout.
func (e *RawExec) ExecPlugin(ctx context.Context, pluginPath string, stdinData []byte, environ []string) ([]byte, error) {
	return nil, errNoRawExecPlugin
}

// FindInPath returns the full path of the plugin by searching in paths.
func (e *RawExec) FindInPath(plugin string, paths []string) (string, error) {
	return FindInPath(plugin, paths)
}
