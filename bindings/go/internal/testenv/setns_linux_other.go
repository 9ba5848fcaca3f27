//go:build linux && !amd64 && !386 && !s390x

package testenv

import "syscall"

// setns(2).
const sysSetns = syscall.SYS_SETNS
