package invoke

/*
#include <stdlib.h>
#include "cniinvoke.h"
*/
import "C"

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"unsafe"
)

// CNIArgs is the environment a plugin runs with.
type CNIArgs interface {
	// AsEnv is the plugin's whole environment as NAME=value entries, or
	// nil for this process's own; delegation starts from this process's
	// environment and overrides some of it.
	AsEnv() []string
}

type inherited struct{}

var inheritArgsFromEnv inherited

func (*inherited) AsEnv() []string {
	return nil
}

// ArgsFromEnv makes the plugin inherit this process's environment.
func ArgsFromEnv() CNIArgs {
	return &inheritArgsFromEnv
}

// Args are the CNI variables a plugin is run with, on top of this process's
// environment.
type Args struct {
	Command       string
	ContainerID   string
	NetNS         string
	PluginArgs    [][2]string
	PluginArgsStr string
	IfName        string
	Path          string
}

// Args implements the CNIArgs interface
var _ CNIArgs = &Args{}

func (args *Args) json() string {
	return mustJSON(argsJSON{
		Command:       args.Command,
		ContainerID:   args.ContainerID,
		NetNS:         args.NetNS,
		IfName:        args.IfName,
		Path:          args.Path,
		PluginArgs:    args.PluginArgs,
		PluginArgsStr: args.PluginArgsStr,
	})
}

// AsEnv is this process's environment with CNI_COMMAND, CNI_CONTAINERID,
// CNI_NETNS, CNI_ARGS, CNI_IFNAME and CNI_PATH set from args, one entry per
// name (computed by libcniinvoke's cni_args_as_env).
func (args *Args) AsEnv() []string {
	cargs := C.CString(args.json())
	defer C.free(unsafe.Pointer(cargs))
	var out *C.char
	var cerr *C.cni_error
	if status := C.cni_args_as_env(cargs, &out, &cerr); status != C.CNI_STATUS_OK {
		// Only a value that is not valid UTF-8 gets here.
		panic(fmt.Sprintf("invoke: Args.AsEnv: %v", libErrorOf(status, cerr)))
	}
	defer C.cni_string_free(out)
	var env []string
	if err := json.Unmarshal([]byte(C.GoString(out)), &env); err != nil {
		panic("invoke: Args.AsEnv: libcniinvoke returned malformed JSON: " + err.Error())
	}
	return env
}

var _ CNIArgs = &DelegateArgs{}

// DelegateArgs is this process's environment with CNI_COMMAND overridden.
type DelegateArgs struct {
	Command string
}

// AsEnv is this process's environment with CNI_COMMAND set to d.Command.
func (d *DelegateArgs) AsEnv() []string {
	return dedupEnv(append(os.Environ(), "CNI_COMMAND="+d.Command))
}

// envMap is env as a map, later entries winning; entries without "=" are
// left out.
func envMap(env []string) map[string]string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// dedupEnv is env with one entry per name (the last one), in the order the
// names first appear; entries without "=" are kept as they are.
func dedupEnv(env []string) []string {
	last := envMap(env)
	out := make([]string, 0, len(env))
	seen := make(map[string]bool, len(last))
	for _, kv := range env {
		k, _, ok := strings.Cut(kv, "=")
		if !ok {
			out = append(out, kv)
			continue
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, k+"="+last[k])
		}
	}
	return out
}
