//! The committed C header (include/cniinvoke.h) is the one build.rs
//! generates from the crate into `$OUT_DIR` (with the `capi` feature).
//!
//! `make header` runs this test with `CNIINVOKE_WRITE_HEADER=1`, which
//! writes the generated header over the committed one instead of failing;
//! the build itself never writes into the source tree.

use std::path::Path;

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/include/cniinvoke.h");
const GENERATED: &str = concat!(env!("OUT_DIR"), "/cniinvoke.h");

#[test]
fn committed_header_is_current() {
    let fresh = std::fs::read_to_string(GENERATED)
        .unwrap_or_else(|e| panic!("{GENERATED} (written by build.rs): {e}"));
    assert!(
        fresh.contains("CNI_STATUS_OK = 0,"),
        "{GENERATED} does not declare the C ABI:\n{fresh}"
    );
    if std::env::var_os("CNIINVOKE_WRITE_HEADER").is_some_and(|v| v == "1") {
        std::fs::write(COMMITTED, &fresh).unwrap_or_else(|e| panic!("writing {COMMITTED}: {e}"));
        eprintln!("wrote {COMMITTED}");
        return;
    }
    let committed = std::fs::read_to_string(Path::new(COMMITTED))
        .unwrap_or_else(|e| panic!("reading {COMMITTED}: {e}"));
    assert!(
        committed == fresh,
        "include/cniinvoke.h is stale: the crate generates a different header \
         ({GENERATED}); run `make header`, review and commit it"
    );
}
