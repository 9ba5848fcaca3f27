#![no_main]
//! Fuzz target `c_entry_points`; the property checked is
//! `checks::c_entry_points`.

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::c_entry_points(data));
