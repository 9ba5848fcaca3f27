#![no_main]
//! Fuzz target `decode_version`; the property checked is `checks::decode_version`.

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::decode_version(data));
