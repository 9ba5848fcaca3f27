package libcni

// The types and the CNIConfig methods of upstream's libcni/api.go. Each
// method converts its arguments, makes one call of the network-list layer
// on the configuration's parts (cni_network_list_call) and converts the
// answer back.

/*
#include <stdlib.h>
#include "cniinvoke.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	"github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"
)

var (
	// CacheDir is where results are cached when neither the CNIConfig nor
	// the RuntimeConf names a directory.
	CacheDir = "/var/lib/cni"
	// ErrorCheckNotSupp is wrapped by the error of a CHECK of a
	// configuration whose version predates CHECK.
	ErrorCheckNotSupp = fmt.Errorf("does not support the CHECK command")
)

// CNICacheV1 is the kind of the cache entries written.
const (
	CNICacheV1 = "cniCacheV1"
)

// RuntimeConf holds the arguments of one attachment apart from the
// configuration: the container, its network namespace and interface
// name, CNI_ARGS, and the capability arguments (each plugin gets those it
// declares in its capabilities as its runtimeConfig).
type RuntimeConf struct {
	ContainerID    string
	NetNS          string
	IfName         string
	Args           [][2]string
	CapabilityArgs map[string]interface{}

	// Deprecated: a cache directory used when the CNIConfig has none.
	CacheDir string
}

// NetworkConfig is the older name of PluginConfig.
type NetworkConfig = PluginConfig

// PluginConfig is one plugin's configuration: its parsed fields and the
// bytes it is sent.
type PluginConfig struct {
	Network *types.PluginConf
	Bytes   []byte
}

// NetworkConfigList is a configuration list: its fields, its plugins in
// order, and the list's own bytes (what the cache stores).
type NetworkConfigList struct {
	Name                   string
	CNIVersion             string
	DisableCheck           bool
	DisableGC              bool
	LoadOnlyInlinedPlugins bool
	Plugins                []*PluginConfig
	Bytes                  []byte
}

// NetworkAttachment is an attachment found in the cache.
type NetworkAttachment struct {
	ContainerID    string
	Network        string
	IfName         string
	Config         []byte
	NetNS          string
	CniArgs        [][2]string
	CapabilityArgs map[string]interface{}
}

// GCArgs are the arguments of a GC: the attachments still in use.
type GCArgs struct {
	ValidAttachments []types.GCAttachment
}

// CNI is what a CNIConfig does.
type CNI interface {
	AddNetworkList(ctx context.Context, net *NetworkConfigList, rt *RuntimeConf) (types.Result, error)
	CheckNetworkList(ctx context.Context, net *NetworkConfigList, rt *RuntimeConf) error
	DelNetworkList(ctx context.Context, net *NetworkConfigList, rt *RuntimeConf) error
	GetNetworkListCachedResult(net *NetworkConfigList, rt *RuntimeConf) (types.Result, error)
	GetNetworkListCachedConfig(net *NetworkConfigList, rt *RuntimeConf) ([]byte, *RuntimeConf, error)

	AddNetwork(ctx context.Context, net *PluginConfig, rt *RuntimeConf) (types.Result, error)
	CheckNetwork(ctx context.Context, net *PluginConfig, rt *RuntimeConf) error
	DelNetwork(ctx context.Context, net *PluginConfig, rt *RuntimeConf) error
	GetNetworkCachedResult(net *PluginConfig, rt *RuntimeConf) (types.Result, error)
	GetNetworkCachedConfig(net *PluginConfig, rt *RuntimeConf) ([]byte, *RuntimeConf, error)

	ValidateNetworkList(ctx context.Context, net *NetworkConfigList) ([]string, error)
	ValidateNetwork(ctx context.Context, net *PluginConfig) ([]string, error)

	GCNetworkList(ctx context.Context, net *NetworkConfigList, args *GCArgs) error
	GetStatusNetworkList(ctx context.Context, net *NetworkConfigList) error

	GetCachedAttachments(containerID string) ([]*NetworkAttachment, error)

	GetVersionInfo(ctx context.Context, pluginType string) (version.PluginInfo, error)
}

// CNIConfig finds plugins on Path, runs them with its exec and caches
// results in its cache directory.
type CNIConfig struct {
	Path     []string
	exec     invoke.Exec
	cacheDir string
}

// CNIConfig implements the CNI interface
var _ CNI = &CNIConfig{}

// NewCNIConfig is a CNIConfig searching path for plugins and running them
// with exec (nil: the default exec, plugins' stderr to os.Stderr).
func NewCNIConfig(path []string, exec invoke.Exec) *CNIConfig {
	return NewCNIConfigWithCacheDir(path, "", exec)
}

// NewCNIConfigWithCacheDir is NewCNIConfig caching in cacheDir ("": see
// CacheDir).
func NewCNIConfigWithCacheDir(path []string, cacheDir string, exec invoke.Exec) *CNIConfig {
	return &CNIConfig{Path: path, cacheDir: cacheDir, exec: exec}
}

// onList runs a list operation with the runtime conf rt.
func (c *CNIConfig) onList(ctx context.Context, op string, list *NetworkConfigList, rt *RuntimeConf) (*string, error) {
	arg, err := rtOf(rt)
	if err != nil {
		return nil, err
	}
	return c.listCall(ctx, c.cacheDirFor(rt), op, partsOfList(list), arg)
}

// onNetwork runs a one-plugin operation with the runtime conf rt.
func (c *CNIConfig) onNetwork(ctx context.Context, op string, net *PluginConfig, rt *RuntimeConf) (*string, error) {
	arg, err := rtOf(rt)
	if err != nil {
		return nil, err
	}
	return c.listCall(ctx, c.cacheDirFor(rt), op, partsOfPlugin(net), arg)
}

// AddNetworkList runs ADD of each plugin of list in order, each given the
// previous one's result, and caches the last result.
func (c *CNIConfig) AddNetworkList(ctx context.Context, list *NetworkConfigList, rt *RuntimeConf) (types.Result, error) {
	out, err := c.onList(ctx, "add", list, rt)
	if err != nil {
		return nil, err
	}
	return resultOf(out)
}

// CheckNetworkList runs CHECK of each plugin of list with the cached
// result.
func (c *CNIConfig) CheckNetworkList(ctx context.Context, list *NetworkConfigList, rt *RuntimeConf) error {
	_, err := c.onList(ctx, "check", list, rt)
	return checkNotSupported(err)
}

// DelNetworkList runs DEL of each plugin of list in reverse order and
// removes the cache entry.
func (c *CNIConfig) DelNetworkList(ctx context.Context, list *NetworkConfigList, rt *RuntimeConf) error {
	_, err := c.onList(ctx, "del", list, rt)
	return err
}

// GetNetworkListCachedResult is the cached result of list's attachment
// (nil when none).
func (c *CNIConfig) GetNetworkListCachedResult(list *NetworkConfigList, rt *RuntimeConf) (types.Result, error) {
	out, err := c.onList(context.Background(), "cachedResult", list, rt)
	if err != nil {
		return nil, err
	}
	return resultOf(out)
}

// GetNetworkListCachedConfig is the cached configuration of list's
// attachment and rt with the cached arguments.
func (c *CNIConfig) GetNetworkListCachedConfig(list *NetworkConfigList, rt *RuntimeConf) ([]byte, *RuntimeConf, error) {
	out, err := c.onList(context.Background(), "cachedConfig", list, rt)
	if err != nil {
		return nil, nil, err
	}
	return cachedConfig(out, rt)
}

// AddNetwork runs ADD of one plugin and caches its result.
func (c *CNIConfig) AddNetwork(ctx context.Context, net *PluginConfig, rt *RuntimeConf) (types.Result, error) {
	out, err := c.onNetwork(ctx, "networkAdd", net, rt)
	if err != nil {
		return nil, err
	}
	return resultOf(out)
}

// CheckNetwork runs CHECK of one plugin with its cached result.
func (c *CNIConfig) CheckNetwork(ctx context.Context, net *PluginConfig, rt *RuntimeConf) error {
	_, err := c.onNetwork(ctx, "networkCheck", net, rt)
	return checkNotSupported(err)
}

// DelNetwork runs DEL of one plugin and removes its cache entry.
func (c *CNIConfig) DelNetwork(ctx context.Context, net *PluginConfig, rt *RuntimeConf) error {
	_, err := c.onNetwork(ctx, "networkDel", net, rt)
	return err
}

// GetNetworkCachedResult is the cached result of one plugin's attachment.
func (c *CNIConfig) GetNetworkCachedResult(net *PluginConfig, rt *RuntimeConf) (types.Result, error) {
	out, err := c.onNetwork(context.Background(), "networkCachedResult", net, rt)
	if err != nil {
		return nil, err
	}
	return resultOf(out)
}

// GetNetworkCachedConfig is the cached configuration of one plugin's
// attachment and rt with the cached arguments.
func (c *CNIConfig) GetNetworkCachedConfig(net *PluginConfig, rt *RuntimeConf) ([]byte, *RuntimeConf, error) {
	out, err := c.onNetwork(context.Background(), "networkCachedConfig", net, rt)
	if err != nil {
		return nil, nil, err
	}
	return cachedConfig(out, rt)
}

// ValidateNetworkList checks that every plugin of list is found and
// supports the list's version; it returns the capabilities they enable.
func (c *CNIConfig) ValidateNetworkList(ctx context.Context, list *NetworkConfigList) ([]string, error) {
	out, err := c.listCall(ctx, c.cacheDirFor(nil), "validate", partsOfList(list), nil)
	if err != nil {
		return nil, err
	}
	return capabilities(out)
}

// ValidateNetwork is ValidateNetworkList for one plugin.
func (c *CNIConfig) ValidateNetwork(ctx context.Context, net *PluginConfig) ([]string, error) {
	out, err := c.listCall(ctx, c.cacheDirFor(nil), "networkValidate", partsOfPlugin(net), nil)
	if err != nil {
		return nil, err
	}
	return capabilities(out)
}

func capabilities(out *string) ([]string, error) {
	caps := []string{}
	if out != nil {
		if err := json.Unmarshal([]byte(*out), &caps); err != nil {
			return nil, fmt.Errorf("libcni: libcniinvoke returned malformed capabilities: %w", err)
		}
	}
	return caps, nil
}

// GCNetworkList deletes every cached attachment of list not in args'
// valid attachments (all of them when args is nil) and, from version 1.1.0
// on, runs GC of each plugin.
func (c *CNIConfig) GCNetworkList(ctx context.Context, list *NetworkConfigList, args *GCArgs) error {
	var arg any
	if args != nil {
		valid := args.ValidAttachments
		if valid == nil {
			valid = []types.GCAttachment{}
		}
		arg = gcJSON{ValidAttachments: valid}
	}
	_, err := c.listCall(ctx, c.cacheDirFor(nil), "gc", partsOfList(list), arg)
	return err
}

// GetStatusNetworkList runs STATUS of each plugin of list (from version
// 1.1.0 on); the first error is the plugin's own.
func (c *CNIConfig) GetStatusNetworkList(ctx context.Context, list *NetworkConfigList) error {
	_, err := c.listCall(ctx, c.cacheDirFor(nil), "status", partsOfList(list), nil)
	return err
}

// GetCachedAttachments lists the attachments in the cache, of containerID
// only unless it is empty.
func (c *CNIConfig) GetCachedAttachments(containerID string) ([]*NetworkAttachment, error) {
	call, err := c.newCCall(context.Background(), c.cacheDirFor(nil))
	if err != nil {
		return nil, err
	}
	cid := cString(containerID)
	defer C.free(unsafe.Pointer(cid))
	var out *C.char
	var cerr *C.cni_error
	status := C.cni_cached_attachments(call.cfg, cid, &out, &cerr)
	if err := call.done(status, cerr); err != nil {
		return nil, err
	}
	var list []attachmentJSON
	if err := json.Unmarshal([]byte(*takeString(out)), &list); err != nil {
		return nil, fmt.Errorf("libcni: libcniinvoke returned malformed attachments: %w", err)
	}
	if len(list) == 0 && noResultsDir(c.cacheDirFor(nil)) {
		return nil, nil // upstream's answer when nothing was ever cached
	}
	atts := make([]*NetworkAttachment, 0, len(list))
	for i := range list {
		atts = append(atts, list[i].attachment())
	}
	return atts, nil
}

func noResultsDir(cacheDir string) bool {
	_, err := os.Stat(filepath.Join(cacheDir, "results"))
	return os.IsNotExist(err)
}

// GetVersionInfo is the version report of the plugin pluginType, found on
// Path.
func (c *CNIConfig) GetVersionInfo(ctx context.Context, pluginType string) (version.PluginInfo, error) {
	call, err := c.newCCall(ctx, "")
	if err != nil {
		return nil, err
	}
	ctype := cString(pluginType)
	defer C.free(unsafe.Pointer(ctype))
	var out *C.char
	var cerr *C.cni_error
	status := C.cni_config_version_info(call.cfg, call.ctx, ctype, &out, &cerr)
	if err := call.done(status, cerr); err != nil {
		return nil, err
	}
	data := takeString(out)
	if info, ok := call.Decoded(); ok {
		// The Go Exec's own Decode answered: its very value.
		return info, nil
	}
	return (&version.PluginDecoder{}).Decode([]byte(*data))
}

// checkNotSupported makes the library's "does not support the CHECK
// command" error wrap ErrorCheckNotSupp, as upstream's does.
func checkNotSupported(err error) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	if prefix, ok := strings.CutSuffix(text, " "+ErrorCheckNotSupp.Error()); ok && strings.HasPrefix(text, "configuration version ") {
		return fmt.Errorf("%s %w", prefix, ErrorCheckNotSupp)
	}
	return err
}
