#![no_main]
//! Fuzz target `conf_list`; the property checked is `checks::conf_list`.

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::conf_list(data));
