//! The C ABI (`include/cniinvoke.h`), compiled only with the `capi`
//! feature: the C library's layer over the core, which the Rust API and the
//! Python binding do without. `build.rs` generates the header from this
//! module with cbindgen into `OUT_DIR`; `make header` commits it.
//!
//! Modelled on rustls-ffi: one file per exported concept, opaque handles,
//! one numeric status enum, every `extern "C"` body wrapped by
//! `ffi_boundary!` (`panic.rs`: panics become `CNI_STATUS_PANIC`, never
//! unwind into C), and raw pointers turned into references in one place
//! (`ptr.rs`).
//!
//! The core library knows nothing of C; each function here converts its
//! arguments, makes one call into the core and converts the answer back.
//!
//! The exported functions are `unsafe extern "C"`: their safety contract is
//! the one every C function has, spelled out once in the header's
//! conventions (pointers are NULL where allowed or valid, strings are
//! NUL-terminated, handles are live), so the per-function `# Safety`
//! sections clippy asks for would only repeat it.
#![allow(clippy::missing_safety_doc)]

#[macro_use]
mod panic;

mod attach;
mod conf;
mod config;
mod context;
mod error;
mod exec;
mod invoke;
mod log;
mod netlist;
mod network;
mod parts;
mod ptr;
mod runtime;
mod status;
mod string;
mod version;

pub use self::log::*;
pub use conf::*;
pub use config::*;
pub use context::*;
pub use error::*;
pub use exec::*;
pub use invoke::*;
pub use netlist::*;
pub use network::*;
pub use parts::*;
pub use status::*;
pub use string::*;
pub use version::*;

#[cfg(test)]
mod tests {
    use super::*;

    fn send_sync<T: Send + Sync>() {}

    /// Every handle may be shared between threads (the header promises it).
    #[test]
    fn handles_are_send_and_sync() {
        send_sync::<cni_context>();
        send_sync::<cni_exec>();
        send_sync::<cni_error>();
        send_sync::<cni_buffer>();
        send_sync::<cni_config>();
    }
}
