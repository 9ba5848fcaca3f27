package testenv

// C's environment behind Go's back, for the tests that tell the two apart.

/*
#include <stdlib.h>
*/
import "C"

import "unsafe"

// SetenvCOnly sets name=value in C's environment alone, as C code in the
// process could: Go's os.Getenv and os.Environ do not see it. The returned
// function removes it again.
func SetenvCOnly(name, value string) (unset func()) {
	n, v := C.CString(name), C.CString(value)
	defer C.free(unsafe.Pointer(n))
	defer C.free(unsafe.Pointer(v))
	C.setenv(n, v, 1)
	return func() {
		n := C.CString(name)
		defer C.free(unsafe.Pointer(n))
		C.unsetenv(n)
	}
}
