package invoke

/*
#include <stdlib.h>
#include "cniinvoke.h"
*/
import "C"

import (
	"context"
	"unsafe"

	"github.com/containernetworking/cni/pkg/types"
)

// delegate runs delegatePlugin, found on CNI_PATH, with CNI_COMMAND=verb
// (libcniinvoke's cni_delegate): the result for ADD, nil for the other
// verbs. The exported Delegate functions are thin wrappers over it.
func delegate(ctx context.Context, verb, delegatePlugin string, netconf []byte, exec Exec) (types.Result, error) {
	c, err := newCall(ctx, exec, nil, false)
	if err != nil {
		return nil, err
	}
	cverb, cplugin, cconf := C.CString(verb), C.CString(delegatePlugin), cstring(netconf)
	defer C.free(unsafe.Pointer(cverb))
	defer C.free(unsafe.Pointer(cplugin))
	defer C.free(unsafe.Pointer(cconf))
	var out *C.char
	var cerr *C.cni_error
	status := C.cni_delegate(c.exec, c.cctx, cverb, cplugin, cconf, &out, &cerr)
	if err := c.done(status, cerr); err != nil {
		return nil, err
	}
	if out == nil {
		return nil, nil
	}
	return resultFromJSON(takeBytes(out))
}

// DelegateAdd runs delegatePlugin, found on $CNI_PATH, as ADD with netconf
// on its stdin and the rest of this process's CNI environment, and returns
// its result.
func DelegateAdd(ctx context.Context, delegatePlugin string, netconf []byte, exec Exec) (types.Result, error) {
	return delegate(ctx, "ADD", delegatePlugin, netconf, exec)
}

// DelegateCheck runs delegatePlugin, found on $CNI_PATH, as CHECK with
// netconf on its stdin and the rest of this process's CNI environment.
func DelegateCheck(ctx context.Context, delegatePlugin string, netconf []byte, exec Exec) error {
	_, err := delegate(ctx, "CHECK", delegatePlugin, netconf, exec)
	return err
}

// DelegateDel runs delegatePlugin, found on $CNI_PATH, as DEL with netconf
// on its stdin and the rest of this process's CNI environment.
func DelegateDel(ctx context.Context, delegatePlugin string, netconf []byte, exec Exec) error {
	_, err := delegate(ctx, "DEL", delegatePlugin, netconf, exec)
	return err
}

// DelegateStatus runs delegatePlugin, found on $CNI_PATH, as STATUS with
// netconf on its stdin and the rest of this process's CNI environment.
func DelegateStatus(ctx context.Context, delegatePlugin string, netconf []byte, exec Exec) error {
	_, err := delegate(ctx, "STATUS", delegatePlugin, netconf, exec)
	return err
}

// DelegateGC runs delegatePlugin, found on $CNI_PATH, as GC with netconf on
// its stdin and the rest of this process's CNI environment.
func DelegateGC(ctx context.Context, delegatePlugin string, netconf []byte, exec Exec) error {
	_, err := delegate(ctx, "GC", delegatePlugin, netconf, exec)
	return err
}
