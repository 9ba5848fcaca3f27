//! Versions: of the library, of the CNI spec it speaks, and the platform's
//! executable extensions.

use std::ffi::{c_char, CString};
use std::sync::OnceLock;

/// The library's version ("MAJOR.MINOR.PATCH"). Static: never freed.
#[no_mangle]
pub extern "C" fn cni_version() -> *const c_char {
    static V: OnceLock<CString> = OnceLock::new();
    ffi_boundary!({
        V.get_or_init(|| super::ptr::to_cstring(env!("CARGO_PKG_VERSION")))
            .as_ptr()
    })
}

/// The newest CNI spec version the library speaks (`"1.1.0"`): the version
/// of the `VERSION` request it sends. Static: never freed.
#[no_mangle]
pub extern "C" fn cni_spec_version() -> *const c_char {
    static V: OnceLock<CString> = OnceLock::new();
    ffi_boundary!({
        V.get_or_init(|| super::ptr::to_cstring(crate::version::current()))
            .as_ptr()
    })
}

/// The file-name suffixes `cni_find_in_path` tries after a plugin name, as
/// a JSON array (`[""]` on Unix). Static: never freed.
#[no_mangle]
pub extern "C" fn cni_executable_file_extensions() -> *const c_char {
    static V: OnceLock<CString> = OnceLock::new();
    ffi_boundary!({
        V.get_or_init(|| {
            let json = serde_json::to_string(crate::find::EXECUTABLE_FILE_EXTENSIONS)
                .unwrap_or_else(|_| "[\"\"]".into());
            super::ptr::to_cstring(json)
        })
        .as_ptr()
    })
}
