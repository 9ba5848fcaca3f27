package libcni

// The JSON shapes libcniinvoke's parts calls take and give
// (src/ffi/parts.rs): configurations as their parts, the runtime conf, GC
// arguments, cached configurations and attachments.

import (
	"encoding/json"
	"fmt"

	"github.com/containernetworking/cni/pkg/types"
)

// pluginParts is a PluginConfig as the library reads it.
type pluginParts struct {
	Type         string          `json:"type"`
	Name         string          `json:"name"`
	CNIVersion   string          `json:"cniVersion"`
	Capabilities map[string]bool `json:"capabilities,omitempty"`
	Bytes        []byte          `json:"bytes,omitempty"`
}

// listParts is a NetworkConfigList as the library reads it.
type listParts struct {
	Name                   string         `json:"name"`
	CNIVersion             string         `json:"cniVersion"`
	DisableCheck           bool           `json:"disableCheck"`
	DisableGC              bool           `json:"disableGC"`
	LoadOnlyInlinedPlugins bool           `json:"loadOnlyInlinedPlugins"`
	Plugins                []*pluginParts `json:"plugins"`
	Bytes                  []byte         `json:"bytes,omitempty"`
}

// partsOfPlugin: a nil Network has no parsed fields.
func partsOfPlugin(p *PluginConfig) *pluginParts {
	out := &pluginParts{Bytes: p.Bytes}
	if n := p.Network; n != nil {
		out.Type, out.Name, out.CNIVersion, out.Capabilities = n.Type, n.Name, n.CNIVersion, n.Capabilities
	}
	return out
}

func partsOfList(l *NetworkConfigList) *listParts {
	out := &listParts{
		Name:                   l.Name,
		CNIVersion:             l.CNIVersion,
		DisableCheck:           l.DisableCheck,
		DisableGC:              l.DisableGC,
		LoadOnlyInlinedPlugins: l.LoadOnlyInlinedPlugins,
		Plugins:                make([]*pluginParts, 0, len(l.Plugins)),
		Bytes:                  l.Bytes,
	}
	for _, p := range l.Plugins {
		out.Plugins = append(out.Plugins, partsOfPlugin(p))
	}
	return out
}

// plugin is the PluginConfig of the library's parts. Network holds every
// field of types.PluginConf the bytes carry (ipam, dns, …, which the core
// does not read), with the core's parsed fields over them.
func (p *pluginParts) plugin() *PluginConfig {
	conf := &types.PluginConf{}
	_ = json.Unmarshal(p.Bytes, conf) // the core accepted the bytes; extras are best effort
	conf.Type, conf.Name, conf.CNIVersion = p.Type, p.Name, p.CNIVersion
	if len(p.Capabilities) > 0 || len(conf.Capabilities) > 0 {
		conf.Capabilities = p.Capabilities
	}
	return &PluginConfig{Network: conf, Bytes: p.Bytes}
}

func (l *listParts) list() *NetworkConfigList {
	out := &NetworkConfigList{
		Name:                   l.Name,
		CNIVersion:             l.CNIVersion,
		DisableCheck:           l.DisableCheck,
		DisableGC:              l.DisableGC,
		LoadOnlyInlinedPlugins: l.LoadOnlyInlinedPlugins,
		Plugins:                make([]*PluginConfig, 0, len(l.Plugins)),
		Bytes:                  l.Bytes,
	}
	for _, p := range l.Plugins {
		out.Plugins = append(out.Plugins, p.plugin())
	}
	return out
}

// rtJSON is the library's runtime conf. CapabilityArgsGo holds each
// capability value as encoding/json encodes it, which plugins are sent (a
// struct keeps its field order, as upstream sends it).
type rtJSON struct {
	ContainerID      string                 `json:"containerId"`
	NetNS            string                 `json:"netns"`
	IfName           string                 `json:"ifName"`
	Args             [][2]string            `json:"args"`
	CapabilityArgs   map[string]interface{} `json:"capabilityArgs"`
	CapabilityArgsGo map[string]string      `json:"capabilityArgsGo,omitempty"`
}

// rtOf is rt as the library reads it (nil: every field empty). Its
// deprecated CacheDir is applied by the caller (cacheDirFor).
func rtOf(rt *RuntimeConf) (*rtJSON, error) {
	out := &rtJSON{Args: [][2]string{}, CapabilityArgs: map[string]interface{}{}}
	if rt == nil {
		return out, nil
	}
	out.ContainerID, out.NetNS, out.IfName = rt.ContainerID, rt.NetNS, rt.IfName
	if rt.Args != nil {
		out.Args = rt.Args
	}
	if len(rt.CapabilityArgs) > 0 {
		out.CapabilityArgs = rt.CapabilityArgs
		out.CapabilityArgsGo = make(map[string]string, len(rt.CapabilityArgs))
		for k, v := range rt.CapabilityArgs {
			b, err := json.Marshal(v)
			if err != nil {
				return nil, err
			}
			out.CapabilityArgsGo[k] = string(b)
		}
	}
	return out, nil
}

// gcJSON is the library's GC arguments.
type gcJSON struct {
	ValidAttachments []types.GCAttachment `json:"validAttachments"`
}

// cachedConfigJSON is what the library answers for a cached configuration.
type cachedConfigJSON struct {
	Config      string `json:"config"`
	RuntimeConf rtJSON `json:"runtimeConf"`
}

// cachedConfig is upstream's pair: the cached bytes and a copy of rt with
// the cached CNI args (when there are any) and capability args.
func cachedConfig(data *string, rt *RuntimeConf) ([]byte, *RuntimeConf, error) {
	if data == nil {
		return nil, nil, nil
	}
	var c cachedConfigJSON
	if err := json.Unmarshal([]byte(*data), &c); err != nil {
		return nil, nil, fmt.Errorf("libcni: libcniinvoke returned a malformed cached configuration: %w", err)
	}
	newRt := RuntimeConf{}
	if rt != nil {
		newRt = *rt
	}
	if len(c.RuntimeConf.Args) > 0 {
		newRt.Args = c.RuntimeConf.Args
	}
	newRt.CapabilityArgs = c.RuntimeConf.CapabilityArgs
	if len(newRt.CapabilityArgs) == 0 {
		newRt.CapabilityArgs = nil
	}
	return []byte(c.Config), &newRt, nil
}

// attachmentJSON is one cached attachment as the library answers it.
type attachmentJSON struct {
	ContainerID    string                 `json:"containerId"`
	Network        string                 `json:"network"`
	IfName         string                 `json:"ifName"`
	Config         string                 `json:"config"`
	NetNS          string                 `json:"netns"`
	CniArgs        [][2]string            `json:"cniArgs"`
	CapabilityArgs map[string]interface{} `json:"capabilityArgs"`
}

func (a *attachmentJSON) attachment() *NetworkAttachment {
	out := &NetworkAttachment{
		ContainerID:    a.ContainerID,
		Network:        a.Network,
		IfName:         a.IfName,
		Config:         []byte(a.Config),
		NetNS:          a.NetNS,
		CniArgs:        a.CniArgs,
		CapabilityArgs: a.CapabilityArgs,
	}
	if len(out.CniArgs) == 0 {
		out.CniArgs = nil
	}
	if len(out.CapabilityArgs) == 0 {
		out.CapabilityArgs = nil
	}
	return out
}
