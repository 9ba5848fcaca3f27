//! With the `capi` feature (the C library): generates the C header into
//! `$OUT_DIR/cniinvoke.h` with cbindgen and sets the shared library's soname
//! and export list (only `cni_*`). Without it there is nothing to do.
//!
//! The build never writes into the source tree: `make header` refreshes the
//! committed `include/cniinvoke.h` from the generated one, and the `header`
//! test fails while the two differ.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "capi")]
    capi::main();
}

#[cfg(feature = "capi")]
mod capi {
    use std::path::{Path, PathBuf};

    pub fn main() {
        for p in [
            "cbindgen.toml",
            "src/lib.rs",
            "src/error.rs",
            "src/ffi",
            "libcniinvoke.map",
        ] {
            println!("cargo:rerun-if-changed={p}");
        }
        let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
        let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));

        generate_header(&root, &out_dir.join("cniinvoke.h"));

        if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
            let map = root.join("libcniinvoke.map");
            println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcniinvoke.so.0");
            println!(
                "cargo:rustc-cdylib-link-arg=-Wl,--version-script={}",
                map.display()
            );
        }
    }

    /// Write the header generated from the crate to `fresh`.
    fn generate_header(root: &Path, fresh: &Path) {
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
                // A syntax error in the crate: let rustc report it properly
                // (and leave no stale header for the check to pass on).
                let _ = std::fs::remove_file(fresh);
                println!("cargo:warning=cbindgen could not generate the header: {e}");
                return;
            }
        };
        bindings.write_to_file(fresh);
    }
}
