#![no_main]
//! Fuzz target `plugin_info`; the property checked is `checks::plugin_info`.

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::plugin_info(data));
