#![no_main]
//! Fuzz target `cni_error`; the property checked is `checks::cni_error`.

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::cni_error(data));
