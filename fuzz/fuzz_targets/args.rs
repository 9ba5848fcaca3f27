#![no_main]
//! Fuzz target `args`; the property checked is `checks::args`.

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::args(data));
