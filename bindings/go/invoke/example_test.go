package invoke_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	types100 "github.com/containernetworking/cni/pkg/types/100"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/invoke"
)

// The examples run the project's test plugin, which the tests place in
// pluginDir under the name "testplug".

// Run a plugin's ADD and read its result in the current version.
func ExampleExecPluginWithResult() {
	netconf := []byte(`{"cniVersion":"1.1.0","name":"mynet","type":"testplug"}`)
	args := &invoke.Args{
		Command:     "ADD",
		ContainerID: "ctr1",
		NetNS:       "/var/run/netns/ctr1",
		IfName:      "eth0",
		Path:        pluginDir,
	}
	res, err := invoke.ExecPluginWithResult(context.Background(), filepath.Join(pluginDir, "testplug"), netconf, args, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	current, err := types100.NewResultFromResult(res)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(current.CNIVersion, current.Interfaces[0].Name, current.IPs[0].Address.String())
	// Output: 1.1.0 eth0 10.1.2.3/24
}

// Find a plugin executable on a search path.
func ExampleFindInPath() {
	path, err := invoke.FindInPath("testplug", []string{"/nonexistent", pluginDir})
	fmt.Println(filepath.Base(path), err)
	_, err = invoke.FindInPath("nosuch", []string{"/nonexistent"})
	fmt.Println(err)
	// Output:
	// testplug <nil>
	// failed to find plugin "nosuch" in path [/nonexistent]
}

// Ask a plugin which CNI versions it supports.
func ExampleGetVersionInfo() {
	info, err := invoke.GetVersionInfo(context.Background(), filepath.Join(pluginDir, "testplug"), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(info.SupportedVersions())
	// Output: [0.1.0 0.2.0 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0]
}

// A plugin delegates to another (an IPAM plugin, say) with its own CNI_*
// environment: DelegateAdd finds the delegate on CNI_PATH and runs it as
// ADD with the rest of the environment unchanged.
func ExampleDelegateAdd() {
	for k, v := range map[string]string{
		"CNI_COMMAND": "ADD", "CNI_CONTAINERID": "ctr1", "CNI_NETNS": "/var/run/netns/ctr1",
		"CNI_IFNAME": "eth0", "CNI_PATH": pluginDir,
	} {
		os.Setenv(k, v)
		defer os.Unsetenv(k)
	}
	netconf := []byte(`{"cniVersion":"1.0.0","name":"mynet","type":"testplug"}`)
	res, err := invoke.DelegateAdd(context.Background(), "testplug", netconf, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	current, err := types100.NewResultFromResult(res)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Version(), current.IPs[0].Gateway)
	// Output: 1.0.0 10.1.2.1
}

// Log every plugin run through log/slog (here as JSON on stdout, without
// the time and the duration so that the output is always the same).
func ExampleSetLogger() {
	drop := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey || a.Key == "duration_us" {
			return slog.Attr{}
		}
		return a
	}
	h := slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: drop})
	invoke.SetLogger(slog.New(h))
	defer invoke.SetLogger(nil)

	netconf := []byte(`{"cniVersion":"1.1.0","name":"mynet","type":"testplug"}`)
	args := &invoke.Args{Command: "DEL", ContainerID: "ctr1", IfName: "eth0", Path: pluginDir}
	err := invoke.ExecPluginWithoutResult(context.Background(), "/nonexistent/nosuch", netconf, args, nil)
	fmt.Println(err != nil)
	// Output:
	// {"level":"WARN","msg":"plugin DEL","kind":"plugin","verb":"DEL","plugin_type":"testplug","plugin_path":"/nonexistent/nosuch","network":"mynet","container_id":"ctr1","ifname":"eth0","outcome":"error","error_status":"ExecFailed","error_code":0,"error_text":"netplugin failed with no error message: fork/exec /nonexistent/nosuch: no such file or directory"}
	// true
}
