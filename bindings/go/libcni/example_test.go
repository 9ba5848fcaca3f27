package libcni_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	types100 "github.com/containernetworking/cni/pkg/types/100"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/libcni"
)

// The examples run the project's test plugin, which the tests place in
// pluginDir under the names "testplug" and "testplug2".

const exampleList = `{
  "cniVersion": "1.1.0",
  "name": "mynet",
  "plugins": [
    {"type": "testplug"},
    {"type": "testplug2", "capabilities": {"portMappings": true}}
  ]
}`

// Attach a container to a network list, check the attachment and remove
// it again, as a container runtime does.
func ExampleCNIConfig_AddNetworkList() {
	list, err := libcni.ConfListFromBytes([]byte(exampleList))
	if err != nil {
		fmt.Println(err)
		return
	}
	cacheDir, err := os.MkdirTemp("", "cni-cache-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(cacheDir)

	cninet := libcni.NewCNIConfig([]string{pluginDir}, nil)
	rt := &libcni.RuntimeConf{
		ContainerID: "ctr1",
		NetNS:       "/var/run/netns/ctr1",
		IfName:      "eth0",
		CacheDir:    cacheDir, // default: libcni.CacheDir
		CapabilityArgs: map[string]interface{}{
			"portMappings": []map[string]interface{}{{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}},
		},
	}
	ctx := context.Background()
	res, err := cninet.AddNetworkList(ctx, list, rt)
	if err != nil {
		fmt.Println(err)
		return
	}
	current, err := types100.NewResultFromResult(res)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, iface := range current.Interfaces {
		fmt.Println("interface", iface.Name)
	}
	fmt.Println("check:", cninet.CheckNetworkList(ctx, list, rt))
	fmt.Println("del:", cninet.DelNetworkList(ctx, list, rt))
	cached, err := cninet.GetNetworkListCachedResult(list, rt)
	fmt.Println("cached result after DEL:", cached, err)
	// Output:
	// interface eth0
	// interface eth0-1
	// check: <nil>
	// del: <nil>
	// cached result after DEL: <nil> <nil>
}

// Parse a network configuration list.
func ExampleConfListFromBytes() {
	list, err := libcni.ConfListFromBytes([]byte(exampleList))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(list.Name, list.CNIVersion, len(list.Plugins))
	for _, p := range list.Plugins {
		fmt.Println(p.Network.Type, p.Network.Capabilities)
	}
	_, err = libcni.ConfListFromBytes([]byte(`{"cniVersion":"1.1.0","plugins":[]}`))
	fmt.Println(err)
	// Output:
	// mynet 1.1.0 2
	// testplug map[]
	// testplug2 map[portMappings:true]
	// error parsing configuration list: no name
}

// Load a network by name from a configuration directory, as a runtime does
// with /etc/cni/net.d: a .conflist, or a single-plugin .conf wrapped in a
// list.
func ExampleLoadNetworkConf() {
	dir, err := os.MkdirTemp("", "net.d-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	single := `{"cniVersion":"1.0.0","name":"single","type":"testplug"}`
	if err := os.WriteFile(filepath.Join(dir, "10-single.conf"), []byte(single), 0o644); err != nil {
		fmt.Println(err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, "20-mynet.conflist"), []byte(exampleList), 0o644); err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range []string{"mynet", "single", "other"} {
		list, err := libcni.LoadNetworkConf(dir, name)
		if err != nil {
			fmt.Println(name+":", err == libcni.NotFoundError{Dir: dir, Name: name})
			continue
		}
		fmt.Println(name+":", list.Name, list.CNIVersion, len(list.Plugins))
	}
	// Output:
	// mynet: mynet 1.1.0 2
	// single: single 1.0.0 1
	// other: true
}

// List the attachments the cache holds, as a runtime does before garbage
// collection.
func ExampleCNIConfig_GetCachedAttachments() {
	list, err := libcni.ConfListFromBytes([]byte(exampleList))
	if err != nil {
		fmt.Println(err)
		return
	}
	cacheDir, err := os.MkdirTemp("", "cni-cache-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(cacheDir)
	cninet := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, cacheDir, nil)
	ctx := context.Background()
	for _, id := range []string{"ctr1", "ctr2"} {
		rt := &libcni.RuntimeConf{ContainerID: id, NetNS: "/var/run/netns/" + id, IfName: "eth0"}
		if _, err := cninet.AddNetworkList(ctx, list, rt); err != nil {
			fmt.Println(err)
			return
		}
	}
	attachments, err := cninet.GetCachedAttachments("ctr2")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range attachments {
		fmt.Println(a.ContainerID, a.IfName, a.Network, a.NetNS)
	}
	all, err := cninet.GetCachedAttachments("")
	fmt.Println(len(all), err)
	// Output:
	// ctr2 eth0 mynet /var/run/netns/ctr2
	// 2 <nil>
}

// Log each list operation through log/slog; at slog.LevelInfo a
// successful plugin run (Debug) is left out. Here as text on stdout,
// without the time and the duration so that the output is always the same.
func ExampleSetLogger() {
	drop := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey || a.Key == "duration_us" {
			return slog.Attr{}
		}
		return a
	}
	h := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo, ReplaceAttr: drop})
	libcni.SetLogger(slog.New(h))
	defer libcni.SetLogger(nil)

	list, err := libcni.ConfListFromBytes([]byte(exampleList))
	if err != nil {
		fmt.Println(err)
		return
	}
	cacheDir, err := os.MkdirTemp("", "cni-cache-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(cacheDir)
	cninet := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, cacheDir, nil)
	rt := &libcni.RuntimeConf{ContainerID: "ctr1", NetNS: "/var/run/netns/ctr1", IfName: "eth0"}
	if _, err := cninet.AddNetworkList(context.Background(), list, rt); err != nil {
		fmt.Println(err)
	}
	// Output:
	// level=INFO msg="list ADD" kind=list verb=ADD network=mynet container_id=ctr1 ifname=eth0 outcome=ok result_version=1.1.0
}
