#![no_main]
//! Fuzz target `inject_conf`; the property checked is `checks::inject_conf`.

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::inject_conf(data));
