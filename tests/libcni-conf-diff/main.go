// Command libcni-conf-diff runs upstream libcni's configuration functions
// on cases read from stdin and prints what they return, so that the Rust
// port can be compared with them byte for byte (tests/libcni_conf_diff.rs).
//
// Input: a JSON array of cases. Every byte string travels as hex.
//
//	{"op": "inject", "conf": HEX, "values": {...}}   InjectConf
//	{"op": "plugin", "conf": HEX}                    ConfFromBytes
//	{"op": "list", "conf": HEX}                      ConfListFromBytes
//	{"op": "upconvert", "conf": HEX, "name": N, "version": V}
//	                                                 ConfListFromConf
//	{"op": "listfile", "path": P}                    ConfListFromFile
//	{"op": "load", "dir": D, "name": N}              LoadNetworkConf
//	{"op": "loadconf", "dir": D, "name": N}          LoadConf
//	{"op": "files", "dir": D, "exts": [...]}         ConfFiles
//
// Values to inject are decoded the way the Rust side holds them (see
// newValues).
//
// Output: a JSON array with one object per case: "error" (the error's
// text, or absent; "panic: ..." when libcni panicked) and, on success,
// "plugin", "list" or "files" (absent when empty).
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
)

type input struct {
	Op      string          `json:"op"`
	Conf    string          `json:"conf"`
	Values  json.RawMessage `json:"values"`
	Name    string          `json:"name"`
	Version string          `json:"version"`
	Path    string          `json:"path"`
	Dir     string          `json:"dir"`
	Exts    []string        `json:"exts"`
}

type plugin struct {
	CNIVersion   string          `json:"cniVersion"`
	Name         string          `json:"name"`
	Type         string          `json:"type"`
	Capabilities map[string]bool `json:"capabilities"`
	Bytes        string          `json:"bytes"`
}

type list struct {
	Name                   string   `json:"name"`
	CNIVersion             string   `json:"cniVersion"`
	DisableCheck           bool     `json:"disableCheck"`
	DisableGC              bool     `json:"disableGC"`
	LoadOnlyInlinedPlugins bool     `json:"loadOnlyInlinedPlugins"`
	Plugins                []plugin `json:"plugins"`
	Bytes                  string   `json:"bytes"`
}

type output struct {
	Error  *string  `json:"error,omitempty"`
	Plugin *plugin  `json:"plugin,omitempty"`
	List   *list    `json:"list,omitempty"`
	Files  []string `json:"files,omitempty"`
}

func main() {
	var cases []input
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, "reading cases:", err)
		os.Exit(2)
	}
	outs := make([]output, 0, len(cases))
	for i, c := range cases {
		out, err := run(c)
		if err != nil {
			fmt.Fprintf(os.Stderr, "case %d: %v\n", i, err)
			os.Exit(2)
		}
		outs = append(outs, out)
	}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(outs); err != nil {
		fmt.Fprintln(os.Stderr, "writing results:", err)
		os.Exit(2)
	}
}

// run performs one case; its error is a broken case, not a libcni error.
// A panic inside libcni is reported as the error "panic: ...".
func run(c input) (out output, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = failed(fmt.Errorf("panic: %v", r)), nil
		}
	}()
	conf, err := hex.DecodeString(c.Conf)
	if err != nil {
		return output{}, err
	}
	switch c.Op {
	case "inject":
		values, err := newValues(c.Values)
		if err != nil {
			return output{}, err
		}
		return pluginOutput(libcni.InjectConf(&libcni.PluginConfig{Bytes: conf, Network: &types.PluginConf{}}, values)), nil
	case "plugin":
		return pluginOutput(libcni.ConfFromBytes(conf)), nil
	case "list":
		return listOutput(libcni.ConfListFromBytes(conf)), nil
	case "upconvert":
		orig := &libcni.PluginConfig{Bytes: conf, Network: &types.PluginConf{Name: c.Name, CNIVersion: c.Version}}
		return listOutput(libcni.ConfListFromConf(orig)), nil
	case "listfile":
		return listOutput(libcni.ConfListFromFile(c.Path)), nil
	case "load":
		return listOutput(libcni.LoadNetworkConf(c.Dir, c.Name)), nil
	case "loadconf":
		return pluginOutput(libcni.LoadConf(c.Dir, c.Name)), nil
	case "files":
		files, err := libcni.ConfFiles(c.Dir, c.Exts)
		if err != nil {
			return failed(err), nil
		}
		return output{Files: append([]string{}, files...)}, nil
	}
	return output{}, fmt.Errorf("unknown op %q", c.Op)
}

// newValues decodes the values to inject the way a Rust caller holds them
// in a serde_json map: integers that fit 64 bits stay integers, every
// other number is a float64.
func newValues(raw json.RawMessage) (map[string]interface{}, error) {
	values := map[string]interface{}{}
	if len(raw) == 0 {
		return values, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&values); err != nil {
		return nil, err
	}
	for k, v := range values {
		values[k] = numbers(v)
	}
	return values, nil
}

func numbers(v interface{}) interface{} {
	switch v := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return i
		}
		if u, err := strconv.ParseUint(string(v), 10, 64); err == nil {
			return u
		}
		f, _ := strconv.ParseFloat(string(v), 64)
		return f
	case []interface{}:
		for i := range v {
			v[i] = numbers(v[i])
		}
	case map[string]interface{}:
		for k := range v {
			v[k] = numbers(v[k])
		}
	}
	return v
}

func failed(err error) output {
	s := err.Error()
	return output{Error: &s}
}

func toPlugin(p *libcni.PluginConfig) plugin {
	caps := p.Network.Capabilities
	if caps == nil {
		caps = map[string]bool{}
	}
	return plugin{
		CNIVersion:   p.Network.CNIVersion,
		Name:         p.Network.Name,
		Type:         p.Network.Type,
		Capabilities: caps,
		Bytes:        hex.EncodeToString(p.Bytes),
	}
}

func pluginOutput(p *libcni.PluginConfig, err error) output {
	if err != nil {
		return failed(err)
	}
	out := toPlugin(p)
	return output{Plugin: &out}
}

func listOutput(l *libcni.NetworkConfigList, err error) output {
	if err != nil {
		return failed(err)
	}
	out := list{
		Name:                   l.Name,
		CNIVersion:             l.CNIVersion,
		DisableCheck:           l.DisableCheck,
		DisableGC:              l.DisableGC,
		LoadOnlyInlinedPlugins: l.LoadOnlyInlinedPlugins,
		Plugins:                []plugin{},
		Bytes:                  hex.EncodeToString(l.Bytes),
	}
	for _, p := range l.Plugins {
		out.Plugins = append(out.Plugins, toPlugin(p))
	}
	return output{List: &out}
}
