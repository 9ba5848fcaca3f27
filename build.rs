//! Generates the C header (include/cniinvoke.h) with cbindgen and sets the
//! shared library's soname and export list (only `cni_*`).

use std::path::{Path, PathBuf};

fn main() {
    for p in [
        "build.rs",
        "cbindgen.toml",
        "src/lib.rs",
        "src/ffi",
        "libcniinvoke.map",
    ] {
        println!("cargo:rerun-if-changed={p}");
    }
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));

    generate_header(&root, &out_dir);

    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        let map = root.join("libcniinvoke.map");
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcniinvoke.so.0");
        println!(
            "cargo:rustc-cdylib-link-arg=-Wl,--version-script={}",
            map.display()
        );
    }
}

/// Write the header to `$OUT_DIR/cniinvoke.h` and, when it differs, to
/// `include/cniinvoke.h` (the committed copy; a test compares the two).
fn generate_header(root: &Path, out_dir: &Path) {
    let config = match cbindgen::Config::from_file(root.join("cbindgen.toml")) {
        Ok(c) => c,
        Err(e) => panic!("reading cbindgen.toml: {e}"),
    };
    let bindings = match cbindgen::Builder::new()
        .with_crate(root)
        .with_config(config)
        .generate()
    {
        Ok(b) => b,
        Err(e) => {
            // A syntax error in the crate: let rustc report it properly.
            println!("cargo:warning=cbindgen could not generate the header: {e}");
            return;
        }
    };
    let fresh = out_dir.join("cniinvoke.h");
    bindings.write_to_file(&fresh);
    let text = std::fs::read(&fresh).expect("reading the generated header");
    let committed = root.join("include/cniinvoke.h");
    if std::fs::read(&committed).ok().as_deref() != Some(&text[..]) {
        std::fs::create_dir_all(root.join("include")).expect("creating include/");
        std::fs::write(&committed, &text).expect("writing include/cniinvoke.h");
    }
}
