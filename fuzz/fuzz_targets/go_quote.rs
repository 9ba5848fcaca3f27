#![no_main]
//! Fuzz target `go_quote`; the property checked is `checks::go_quote`.

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::go_quote(data));
