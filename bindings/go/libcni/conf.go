package libcni

// The functions of upstream's libcni/conf.go: each is one call of the
// core's configuration layer (cni_conf_parts, cni_conf_files), which
// parses, loads and reports errors with upstream's texts.

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

	"github.com/libcniinvoke/libcniinvoke/bindings/go/internal/capi"
)

// NotFoundError is the error of a network name not found in a directory.
type NotFoundError struct {
	Dir  string
	Name string
}

// Error names the network and the directory searched.
func (e NotFoundError) Error() string {
	return fmt.Sprintf(`no net configuration with name "%s" in %s`, e.Name, e.Dir)
}

// NoConfigsFoundError is the error of a directory without configurations.
type NoConfigsFoundError struct {
	Dir string
}

// Error names the directory that held no configuration.
func (e NoConfigsFoundError) Error() string {
	return fmt.Sprintf(`no net configurations found in %s`, e.Dir)
}

// confArgs is the arg_json of cni_conf_parts.
type confArgs struct {
	Bytes  []byte                 `json:"bytes,omitempty"`
	File   string                 `json:"file,omitempty"`
	Dir    string                 `json:"dir,omitempty"`
	Name   string                 `json:"name,omitempty"`
	Plugin *pluginParts           `json:"plugin,omitempty"`
	Values map[string]interface{} `json:"values,omitempty"`
}

// confParts runs cni_conf_parts and decodes its answer into out.
func confParts(op string, args confArgs, out any) error {
	cop, carg := cString(op), cString(mustJSON(args))
	defer C.free(unsafe.Pointer(cop))
	defer C.free(unsafe.Pointer(carg))
	var parts *C.char
	var cerr *C.cni_error
	if status := C.cni_conf_parts(cop, carg, &parts, &cerr); status != C.CNI_STATUS_OK {
		err := capi.LibErrorOf(uint32(status), unsafe.Pointer(cerr))
		if status == C.CNI_STATUS_NOT_FOUND && args.Dir != "" {
			return notFound(err, args.Dir, args.Name)
		}
		return err
	}
	if err := json.Unmarshal([]byte(*takeString(parts)), out); err != nil {
		return fmt.Errorf("libcni: libcniinvoke returned malformed parts: %w", err)
	}
	return nil
}

// notFound is the library's not-found error as upstream's value.
func notFound(err error, dir, name string) error {
	switch {
	case err.Error() == (NoConfigsFoundError{Dir: dir}).Error():
		return NoConfigsFoundError{Dir: dir}
	case strings.HasPrefix(err.Error(), "no net configuration with name "):
		return NotFoundError{Dir: dir, Name: name}
	}
	return err
}

func pluginOp(op string, args confArgs) (*PluginConfig, error) {
	var p pluginParts
	if err := confParts(op, args, &p); err != nil {
		return nil, err
	}
	return p.plugin(), nil
}

func listOp(op string, args confArgs) (*NetworkConfigList, error) {
	var l listParts
	if err := confParts(op, args, &l); err != nil {
		return nil, err
	}
	return l.list(), nil
}

// NetworkPluginConfFromBytes parses one plugin's configuration.
func NetworkPluginConfFromBytes(pluginConfBytes []byte) (*PluginConfig, error) {
	return pluginOp("networkPluginConfFromBytes", confArgs{Bytes: pluginConfBytes})
}

// NetworkPluginConfsFromFiles loads the plugin configurations
// <networkConfPath>/<networkName>/*.conf, in name order.
func NetworkPluginConfsFromFiles(networkConfPath, networkName string) ([]*PluginConfig, error) {
	var ps []*pluginParts
	if err := confParts("networkPluginConfsFromFiles", confArgs{Dir: networkConfPath, Name: networkName}, &ps); err != nil {
		return nil, err
	}
	out := make([]*PluginConfig, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.plugin())
	}
	return out, nil
}

// NetworkConfFromBytes parses a configuration list.
func NetworkConfFromBytes(confBytes []byte) (*NetworkConfigList, error) {
	return listOp("networkConfFromBytes", confArgs{Bytes: confBytes})
}

// NetworkConfFromFile loads a configuration list file and, unless it
// loads only inlined plugins, the sub-plugin files of its network.
func NetworkConfFromFile(filename string) (*NetworkConfigList, error) {
	return listOp("networkConfFromFile", confArgs{File: filename})
}

// ConfFromBytes parses one plugin's configuration.
//
// Deprecated: use NetworkPluginConfFromBytes.
func ConfFromBytes(bytes []byte) (*NetworkConfig, error) {
	return pluginOp("confFromBytes", confArgs{Bytes: bytes})
}

// ConfFromFile loads one plugin's configuration file.
//
// Deprecated: single-plugin files are superseded by configuration lists;
// use NetworkConfFromFile.
func ConfFromFile(filename string) (*NetworkConfig, error) {
	return pluginOp("confFromFile", confArgs{File: filename})
}

// ConfListFromBytes parses a configuration list.
func ConfListFromBytes(bytes []byte) (*NetworkConfigList, error) {
	return listOp("confListFromBytes", confArgs{Bytes: bytes})
}

// ConfListFromFile is NetworkConfFromFile.
func ConfListFromFile(filename string) (*NetworkConfigList, error) {
	return listOp("confListFromFile", confArgs{File: filename})
}

// ConfFiles lists the files of dir with one of extensions (none when dir
// does not exist).
func ConfFiles(dir string, extensions []string) ([]string, error) {
	if extensions == nil {
		extensions = []string{}
	}
	cdir, cexts := cString(dir), cString(mustJSON(extensions))
	defer C.free(unsafe.Pointer(cdir))
	defer C.free(unsafe.Pointer(cexts))
	var out *C.char
	var cerr *C.cni_error
	if status := C.cni_conf_files(cdir, cexts, &out, &cerr); status != C.CNI_STATUS_OK {
		return nil, capi.LibErrorOf(uint32(status), unsafe.Pointer(cerr))
	}
	var files []string
	if err := json.Unmarshal([]byte(*takeString(out)), &files); err != nil {
		return nil, fmt.Errorf("libcni: libcniinvoke returned malformed file names: %w", err)
	}
	if _, err := os.Stat(dir); len(files) == 0 && os.IsNotExist(err) {
		return nil, nil // upstream's answer for a missing directory
	}
	return files, nil
}

// LoadConf is the first .conf or .json file of dir (sorted) whose plugin
// configuration is named name.
//
// Deprecated: single-plugin files are superseded by configuration lists;
// use LoadNetworkConf.
func LoadConf(dir, name string) (*NetworkConfig, error) {
	return pluginOp("loadConf", confArgs{Dir: dir, Name: name})
}

// LoadConfList is LoadNetworkConf.
func LoadConfList(dir, name string) (*NetworkConfigList, error) {
	return listOp("loadConfList", confArgs{Dir: dir, Name: name})
}

// LoadNetworkConf is the first .conflist file of dir (sorted) named name,
// else the .conf or .json file of that name made into a list.
func LoadNetworkConf(dir, name string) (*NetworkConfigList, error) {
	return listOp("loadNetworkConf", confArgs{Dir: dir, Name: name})
}

// InjectConf sets the top-level keys of newValues in original's
// configuration.
func InjectConf(original *PluginConfig, newValues map[string]interface{}) (*PluginConfig, error) {
	if newValues == nil {
		newValues = map[string]interface{}{}
	}
	return pluginOp("injectConf", confArgs{Plugin: partsOfPlugin(original), Values: newValues})
}

// ConfListFromConf makes a list holding the single plugin configuration
// original.
func ConfListFromConf(original *PluginConfig) (*NetworkConfigList, error) {
	return listOp("confListFromConf", confArgs{Plugin: partsOfPlugin(original)})
}
