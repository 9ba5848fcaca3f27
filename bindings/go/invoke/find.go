package invoke

/*
#include <stdlib.h>
#include "cniinvoke.h"
*/
import "C"

import (
	"fmt"
	"strings"
	"unsafe"
)

// FindInPath looks for an executable called plugin (with each of
// ExecutableFileExtensions) in the directories of paths, in order, and
// returns the first one's full path.
func FindInPath(plugin string, paths []string) (string, error) {
	if paths == nil {
		paths = []string{}
	}
	if strings.IndexByte(plugin, 0) >= 0 {
		// No file has such a name; a C string cannot carry it.
		return "", fmt.Errorf("failed to find plugin %q in path %s", plugin, paths)
	}
	cplugin := C.CString(plugin)
	defer C.free(unsafe.Pointer(cplugin))
	cpaths := C.CString(mustJSON(paths))
	defer C.free(unsafe.Pointer(cpaths))
	var out *C.char
	var cerr *C.cni_error
	if status := C.cni_find_in_path(cplugin, cpaths, &out, &cerr); status != C.CNI_STATUS_OK {
		return "", libErrorOf(status, cerr)
	}
	defer C.cni_string_free(out)
	return C.GoString(out), nil
}
