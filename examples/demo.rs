//! The main job on the bundled test plugin: VERSION, ADD, CHECK, DEL.
//!
//! `cargo run --example demo -- PLUGIN` (the Makefile passes the test
//! plugin built by cargo).

use cniinvoke::{
    exec_plugin_with_result, exec_plugin_without_result, get_version_info, Args, Context,
};
use std::time::Duration;

fn main() {
    let plugin = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/debug/cni-test-plugin".into());
    if let Err(e) = run(&plugin) {
        eprintln!("demo failed: {e}");
        std::process::exit(1);
    }
}

fn run(plugin: &str) -> cniinvoke::Result<()> {
    let ctx = Context::with_timeout(Duration::from_secs(10));
    let netconf = br#"{"cniVersion":"1.1.0","name":"demo-net","type":"cni-test-plugin"}"#;
    let args = |command: &str| Args {
        command: command.into(),
        container_id: "demo-container".into(),
        netns: "/var/run/netns/demo".into(),
        if_name: "eth0".into(),
        path: "/opt/cni/bin".into(),
        ..Args::default()
    };

    println!("plugin: {plugin}");
    let info = get_version_info(&ctx, plugin, None)?;
    println!(
        "VERSION -> cniVersion {} supports {}",
        info.cni_version(),
        info.supported_versions().join(", ")
    );

    let result = exec_plugin_with_result(&ctx, plugin, netconf, &args("ADD"), None)?;
    println!("ADD     -> {}", result.to_json());

    exec_plugin_without_result(&ctx, plugin, netconf, &args("CHECK"), None)?;
    println!("CHECK   -> ok");
    exec_plugin_without_result(&ctx, plugin, netconf, &args("DEL"), None)?;
    println!("DEL     -> ok");

    let old = result.convert_to("0.4.0")?;
    println!("ADD result as 0.4.0 -> {}", old.to_json());
    Ok(())
}
