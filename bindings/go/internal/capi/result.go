package capi

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/types/create"
)

// Result builds upstream's typed result from a result JSON of
// libcniinvoke. The library writes a result as Go's encoding of its type
// does, cniVersion first, so the version is read off the front and only
// create.Create decodes the whole (a 1.x result in the library's own form
// by decode100, which builds the same value without reflection); anything
// else is decoded twice, as before. pkg names the package in the error of
// a malformed result.
func Result(data []byte, pkg string) (types.Result, error) {
	version, ok := leadingVersion(data)
	if !ok {
		var v struct {
			CNIVersion string `json:"cniVersion"`
		}
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, fmt.Errorf("%s: libcniinvoke returned a malformed result: %w", pkg, err)
		}
		version = v.CNIVersion
	}
	if version == "1.0.0" || version == "1.1.0" {
		if r, ok := decode100(data); ok {
			return r, nil
		}
	}
	return create.Create(version, data)
}

// leadingVersion is the cniVersion of a result that starts with it, when
// it is a plain string (no escapes).
func leadingVersion(data []byte) (string, bool) {
	rest, ok := bytes.CutPrefix(data, []byte(`{"cniVersion":"`))
	if !ok {
		return "", false
	}
	end := bytes.IndexAny(rest, "\"\\")
	if end < 0 || rest[end] != '"' {
		return "", false
	}
	return string(rest[:end]), true
}
