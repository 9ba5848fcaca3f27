#![no_main]
//! Fuzz target `result`; the property checked is `checks::result`.

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::result(data));
