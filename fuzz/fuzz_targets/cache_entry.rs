#![no_main]
//! Fuzz target `cache_entry`; the property checked is `checks::cache_entry`.

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::cache_entry(data));
