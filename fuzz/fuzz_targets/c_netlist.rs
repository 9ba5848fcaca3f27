#![no_main]
//! Fuzz target `c_netlist`; the property checked is `checks::c_netlist`.

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::c_netlist(data));
