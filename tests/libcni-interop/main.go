// Command libcni-interop runs upstream Go libcni (v1.3.0) on a network
// configuration list, so that tests can check that its cache and ours are
// interchangeable in both directions.
//
// Usage:
//
//	libcni-interop [flags] VERB CONFLIST CACHE_DIR CONTAINER_ID NETNS IFNAME CNI_PATH
//
// VERB is one of:
//
//	add          AddNetworkList; prints the result as JSON
//	check        CheckNetworkList
//	del          DelNetworkList
//	gc           GCNetworkList (valid attachments from -valid; none: nil args)
//	status       GetStatusNetworkList
//	validate     ValidateNetworkList; prints the capabilities, sorted
//	cached       GetNetworkListCachedResult; prints the result or null
//	cachedconfig GetNetworkListCachedConfig; prints
//	             {"config": <text>, "runtimeConf": {...}} or null
//	attachments  GetCachedAttachments(CONTAINER_ID); prints a JSON array
//
// and, with CONFLIST naming a single plugin's configuration (.conf) read
// by ConfFromFile, the single-network variants:
//
//	addnet       AddNetwork; prints the result as JSON
//	checknet     CheckNetwork
//	delnet       DelNetwork
//	cachednet    GetNetworkCachedResult; prints the result or null
//
// CNI_PATH is a colon-separated list of plugin directories. On failure
// the error text is written to stderr and the exit status is 1; a usage
// mistake exits 2.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/containernetworking/cni/libcni"
)

// netVerbs are the verbs on a single plugin's configuration.
var netVerbs = map[string]bool{"addnet": true, "checknet": true, "delnet": true, "cachednet": true}

// request is everything one invocation needs.
type request struct {
	verb     string
	list     *libcni.NetworkConfigList
	net      *libcni.PluginConfig
	cni      *libcni.CNIConfig
	rt       *libcni.RuntimeConf
	gcArgs   *libcni.GCArgs
	hasValid bool
}

func main() {
	req, err := parseCommandLine(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "libcni-interop: %v\n", err)
		os.Exit(2)
	}
	out, err := req.run(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err.Error())
		os.Exit(1)
	}
	if out != nil {
		if _, err := os.Stdout.Write(append(out, '\n')); err != nil {
			os.Exit(1)
		}
	}
}

func parseCommandLine(argv []string) (*request, error) {
	fs := flag.NewFlagSet("libcni-interop", flag.ContinueOnError)
	args := fs.String("args", "", `CNI args as JSON [["K","V"],...]`)
	caps := fs.String("caps", "", "capability args as a JSON object")
	valid := fs.String("valid", "", `GC valid attachments as JSON [{"containerID":"..","ifname":".."}]`)
	if err := fs.Parse(argv); err != nil {
		return nil, err
	}
	pos := fs.Args()
	if len(pos) != 7 {
		return nil, errors.New("want VERB CONFLIST CACHE_DIR CONTAINER_ID NETNS IFNAME CNI_PATH")
	}
	req := &request{
		verb: pos[0],
		cni:  libcni.NewCNIConfigWithCacheDir(strings.Split(pos[6], ":"), pos[2], nil),
		rt:   &libcni.RuntimeConf{ContainerID: pos[3], NetNS: pos[4], IfName: pos[5]},
	}
	var err error
	if netVerbs[req.verb] {
		req.net, err = libcni.ConfFromFile(pos[1])
	} else {
		req.list, err = libcni.ConfListFromFile(pos[1])
	}
	if err != nil {
		return nil, err
	}
	if err := decodeFlag("-args", *args, &req.rt.Args); err != nil {
		return nil, err
	}
	if err := decodeFlag("-caps", *caps, &req.rt.CapabilityArgs); err != nil {
		return nil, err
	}
	if *valid != "" {
		req.gcArgs = &libcni.GCArgs{}
		if err := decodeFlag("-valid", *valid, &req.gcArgs.ValidAttachments); err != nil {
			return nil, err
		}
	}
	return req, nil
}

func decodeFlag(name, text string, into interface{}) error {
	if text == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(text), into); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// run performs the verb; the bytes are what to print (nil: nothing).
func (r *request) run(ctx context.Context) ([]byte, error) {
	switch r.verb {
	case "add":
		res, err := r.cni.AddNetworkList(ctx, r.list, r.rt)
		if err != nil {
			return nil, err
		}
		return json.Marshal(res)
	case "check":
		return nil, r.cni.CheckNetworkList(ctx, r.list, r.rt)
	case "del":
		return nil, r.cni.DelNetworkList(ctx, r.list, r.rt)
	case "gc":
		return nil, r.cni.GCNetworkList(ctx, r.list, r.gcArgs)
	case "status":
		return nil, r.cni.GetStatusNetworkList(ctx, r.list)
	case "validate":
		caps, err := r.cni.ValidateNetworkList(ctx, r.list)
		if err != nil {
			return nil, err
		}
		sort.Strings(caps)
		return json.Marshal(caps)
	case "cached":
		return r.cached()
	case "cachedconfig":
		return r.cachedConfig()
	case "attachments":
		return r.attachments()
	}
	return r.runNet(ctx)
}

// runNet performs a single-network verb.
func (r *request) runNet(ctx context.Context) ([]byte, error) {
	switch r.verb {
	case "addnet":
		res, err := r.cni.AddNetwork(ctx, r.net, r.rt)
		if err != nil {
			return nil, err
		}
		return json.Marshal(res)
	case "checknet":
		return nil, r.cni.CheckNetwork(ctx, r.net, r.rt)
	case "delnet":
		return nil, r.cni.DelNetwork(ctx, r.net, r.rt)
	case "cachednet":
		res, err := r.cni.GetNetworkCachedResult(r.net, r.rt)
		if err != nil {
			return nil, err
		}
		if res == nil {
			return []byte("null"), nil
		}
		return json.Marshal(res)
	}
	return nil, fmt.Errorf("unknown verb %q", r.verb)
}

func (r *request) cached() ([]byte, error) {
	res, err := r.cni.GetNetworkListCachedResult(r.list, r.rt)
	if err != nil {
		return nil, err
	}
	if res == nil {
		return []byte("null"), nil
	}
	return json.Marshal(res)
}

// cachedRuntime is RuntimeConf as the tests read it.
type cachedRuntime struct {
	ContainerID    string                 `json:"containerId"`
	NetNS          string                 `json:"netns"`
	IfName         string                 `json:"ifName"`
	Args           [][2]string            `json:"args"`
	CapabilityArgs map[string]interface{} `json:"capabilityArgs"`
}

func (r *request) cachedConfig() ([]byte, error) {
	conf, rt, err := r.cni.GetNetworkListCachedConfig(r.list, r.rt)
	if err != nil {
		return nil, err
	}
	if conf == nil && rt == nil {
		return []byte("null"), nil
	}
	return json.Marshal(map[string]interface{}{
		"config": string(conf),
		"runtimeConf": cachedRuntime{
			ContainerID:    rt.ContainerID,
			NetNS:          rt.NetNS,
			IfName:         rt.IfName,
			Args:           rt.Args,
			CapabilityArgs: rt.CapabilityArgs,
		},
	})
}

// attachment is NetworkAttachment as the tests read it.
type attachment struct {
	ContainerID    string                 `json:"containerId"`
	Network        string                 `json:"network"`
	IfName         string                 `json:"ifName"`
	Config         string                 `json:"config"`
	NetNS          string                 `json:"netns"`
	CniArgs        [][2]string            `json:"cniArgs"`
	CapabilityArgs map[string]interface{} `json:"capabilityArgs"`
}

func (r *request) attachments() ([]byte, error) {
	found, err := r.cni.GetCachedAttachments(r.rt.ContainerID)
	if err != nil {
		return nil, err
	}
	out := make([]attachment, 0, len(found))
	for _, a := range found {
		out = append(out, attachment{
			ContainerID:    a.ContainerID,
			Network:        a.Network,
			IfName:         a.IfName,
			Config:         string(a.Config),
			NetNS:          a.NetNS,
			CniArgs:        a.CniArgs,
			CapabilityArgs: a.CapabilityArgs,
		})
	}
	return json.Marshal(out)
}
