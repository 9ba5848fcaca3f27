//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris

package invoke

import "encoding/json"

// #include "cniinvoke.h"
import "C"

// ExecutableFileExtensions are the file-name suffixes FindInPath tries after
// a plugin name (libcniinvoke's cni_executable_file_extensions).
var ExecutableFileExtensions = executableFileExtensions()

func executableFileExtensions() []string {
	var exts []string
	if err := json.Unmarshal([]byte(C.GoString(C.cni_executable_file_extensions())), &exts); err != nil {
		panic("invoke: libcniinvoke reported malformed executable file extensions: " + err.Error())
	}
	return exts
}
