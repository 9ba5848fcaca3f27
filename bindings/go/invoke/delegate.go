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

type delegateFn func(*C.cni_exec, *C.cni_context, *C.char, *C.char, **C.cni_error) C.cni_status

func delegateNoResult(ctx context.Context, delegatePlugin string, netconf []byte, exec Exec, f delegateFn) error {
	c, err := newCall(ctx, exec, nil, false)
	if err != nil {
		return err
	}
	cplugin, cconf := C.CString(delegatePlugin), cstring(netconf)
	defer C.free(unsafe.Pointer(cplugin))
	defer C.free(unsafe.Pointer(cconf))
	var cerr *C.cni_error
	status := f(c.exec, c.cctx, cplugin, cconf, &cerr)
	return c.done(status, cerr)
}

// DelegateAdd calls the given delegate plugin with the CNI ADD action and
// JSON configuration
func DelegateAdd(ctx context.Context, delegatePlugin string, netconf []byte, exec Exec) (types.Result, error) {
	c, err := newCall(ctx, exec, nil, false)
	if err != nil {
		return nil, err
	}
	cplugin, cconf := C.CString(delegatePlugin), cstring(netconf)
	defer C.free(unsafe.Pointer(cplugin))
	defer C.free(unsafe.Pointer(cconf))
	var out *C.char
	var cerr *C.cni_error
	status := C.cni_delegate_add(c.exec, c.cctx, cplugin, cconf, &out, &cerr)
	if err := c.done(status, cerr); err != nil {
		return nil, err
	}
	return resultFromJSON(takeString(out))
}

// DelegateCheck calls the given delegate plugin with the CNI CHECK action and
// JSON configuration
func DelegateCheck(ctx context.Context, delegatePlugin string, netconf []byte, exec Exec) error {
	return delegateNoResult(ctx, delegatePlugin, netconf, exec, cDelegateCheck)
}

// DelegateDel calls the given delegate plugin with the CNI DEL action and
// JSON configuration
func DelegateDel(ctx context.Context, delegatePlugin string, netconf []byte, exec Exec) error {
	return delegateNoResult(ctx, delegatePlugin, netconf, exec, cDelegateDel)
}

// DelegateStatus calls the given delegate plugin with the CNI STATUS action and
// JSON configuration
func DelegateStatus(ctx context.Context, delegatePlugin string, netconf []byte, exec Exec) error {
	return delegateNoResult(ctx, delegatePlugin, netconf, exec, cDelegateStatus)
}

// DelegateGC calls the given delegate plugin with the CNI GC action and
// JSON configuration
func DelegateGC(ctx context.Context, delegatePlugin string, netconf []byte, exec Exec) error {
	return delegateNoResult(ctx, delegatePlugin, netconf, exec, cDelegateGC)
}

func cDelegateCheck(e *C.cni_exec, c *C.cni_context, p, n *C.char, err **C.cni_error) C.cni_status {
	return C.cni_delegate_check(e, c, p, n, err)
}

func cDelegateDel(e *C.cni_exec, c *C.cni_context, p, n *C.char, err **C.cni_error) C.cni_status {
	return C.cni_delegate_del(e, c, p, n, err)
}

func cDelegateStatus(e *C.cni_exec, c *C.cni_context, p, n *C.char, err **C.cni_error) C.cni_status {
	return C.cni_delegate_status(e, c, p, n, err)
}

func cDelegateGC(e *C.cni_exec, c *C.cni_context, p, n *C.char, err **C.cni_error) C.cni_status {
	return C.cni_delegate_gc(e, c, p, n, err)
}
