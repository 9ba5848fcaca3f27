//! The network-list layer's fuzz checks: configuration parsing and
//! directory loading (`conf_list`), cache entries as other programs may
//! have left them (`cache_entry`) and `inject_conf`. Included by
//! `checks.rs`, which lists them in `TARGETS`.

use cniinvoke::libcni::{self, CniConfig, CniConfigOptions, NetworkConfigList, RuntimeConf};
use cniinvoke::{CniResult, Context, Error, Exec, Status};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A fresh scratch directory of its own (the replay test runs checks on
/// several threads at once), removed by [`scratch_done`].
fn scratch(what: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let d = std::env::temp_dir().join(format!("cniinvoke-fuzz-{}-{what}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Remove a scratch directory.
fn scratch_done(d: &Path) {
    let _ = std::fs::remove_dir_all(d);
}

fn decode_text(e: &Error) -> &str {
    match e {
        Error::Decode(m) => m,
        other => panic!("not a Decode error: {other:?}"),
    }
}

/// Parsing: every failure is a Decode error with upstream's prefix; a
/// plugin configuration that parses has a type, keeps its bytes and turns
/// into a one-plugin list naming it; a list that parses keeps its bytes and
/// its plugins have types. Loading: the same bytes in a `.conflist` and a
/// `.conf` file of an otherwise empty directory load as they parse.
pub fn conf_list(data: &[u8]) {
    let conf = libcni::conf_from_bytes(data);
    assert_eq!(conf, libcni::network_plugin_conf_from_bytes(data));
    match &conf {
        Ok(c) => {
            assert!(!c.network.type_.is_empty());
            assert_eq!(c.bytes, data);
            match libcni::conf_list_from_conf(c) {
                Ok(l) => {
                    assert_eq!(
                        (&l.name, &l.cni_version),
                        (&c.network.name, &c.network.cni_version)
                    );
                    assert_eq!(l.plugins.len(), 1);
                    assert_eq!(l.plugins[0].network, c.network);
                }
                // As upstream, the whole document is read as generic JSON
                // again, where numbers must fit a float64.
                Err(e) => assert!(
                    decode_text(&e).starts_with("json: cannot unmarshal number "),
                    "a parsed conf makes no list: {e}"
                ),
            }
        }
        Err(e) => assert!(
            decode_text(e).starts_with("error parsing configuration: "),
            "{e}"
        ),
    }
    let list = libcni::conf_list_from_bytes(data);
    assert_eq!(list, libcni::network_conf_from_bytes(data));
    match &list {
        Ok(l) => {
            assert_eq!(l.bytes, data);
            assert!(l.plugins.iter().all(|p| !p.network.type_.is_empty()));
        }
        Err(e) => {
            let m = decode_text(e);
            assert!(
                m.starts_with("error parsing configuration list: ")
                    || m.starts_with("failed to parse plugin config "),
                "{m}"
            );
        }
    }
    load_from_a_directory(data, &conf, &list);
}

fn load_from_a_directory(
    data: &[u8],
    conf: &cniinvoke::Result<libcni::PluginConfig>,
    list: &cniinvoke::Result<NetworkConfigList>,
) {
    let dir = scratch("conf");
    std::fs::write(dir.join("a.conflist"), data).unwrap();
    let from_file = libcni::conf_list_from_file(&dir.join("a.conflist"));
    match (list, &from_file) {
        (Err(b), Err(f)) => assert_eq!(b.to_string(), f.to_string()),
        (Ok(b), Ok(f)) => {
            assert_eq!(
                (&b.name, &b.cni_version, &b.bytes),
                (&f.name, &f.cni_version, &f.bytes)
            );
            assert!(f.plugins.starts_with(&b.plugins));
        }
        // A list without plugins of its own may find none in files.
        (Ok(b), Err(f)) => assert!(
            b.plugins.is_empty() || f.to_string().starts_with("failed to read plugin config"),
            "parsed, but the file does not load: {f}"
        ),
        (Err(b), Ok(_)) => panic!("the file loads, the bytes do not parse: {b}"),
    }
    if let Ok(f) = &from_file {
        // A name with path separators may point the loader elsewhere:
        // only the plain ones are looked up by name.
        if !f.name.is_empty() && !f.name.contains('/') && !f.name.starts_with('.') {
            let found = libcni::load_network_conf(&dir, &f.name)
                .unwrap_or_else(|e| panic!("load_network_conf: {e}"));
            assert_eq!(&found, f);
        }
    }
    std::fs::remove_file(dir.join("a.conflist")).unwrap();
    std::fs::write(dir.join("b.conf"), data).unwrap();
    let single = libcni::conf_from_file(&dir.join("b.conf"));
    assert_eq!(
        single.as_ref().map_err(|e| e.to_string()),
        conf.as_ref().map_err(|e| e.to_string())
    );
    let files = libcni::conf_files(&dir, &[".conf", ".conflist"]).unwrap();
    assert_eq!(files, vec![dir.join("b.conf")]);
    scratch_done(&dir);
}

/// A plugin runner that answers every command with nothing and keeps the
/// configurations it was given.
#[derive(Default)]
struct Recorder(Mutex<Vec<Vec<u8>>>);

impl Exec for Recorder {
    fn exec_plugin(
        &self,
        _: &Context,
        _: &str,
        stdin: &[u8],
        _: Option<&[String]>,
    ) -> cniinvoke::Result<Vec<u8>> {
        self.0.lock().unwrap().push(stdin.to_vec());
        Ok(Vec::new())
    }
    fn find_in_path(&self, plugin: &str, _: &[String]) -> cniinvoke::Result<String> {
        Ok(format!("/fake/{plugin}"))
    }
}

fn fuzz_list(version: &str) -> NetworkConfigList {
    let text = format!(r#"{{"cniVersion":"{version}","name":"fuzz","plugins":[{{"type":"p"}}]}}"#);
    libcni::conf_list_from_bytes(text.as_bytes()).unwrap()
}

fn fuzz_rt() -> RuntimeConf {
    RuntimeConf {
        container_id: "ctr".into(),
        if_name: "eth0".into(),
        ..RuntimeConf::default()
    }
}

/// `data` as the cache entry of attachment (fuzz, ctr, eth0): reading its
/// result gives one in the asked version or an error (never "nothing");
/// its configuration and the attachment list agree; a DEL is never blocked,
/// hands the plugin the very result that reading gave, and removes the
/// entry; a GC never fails on account of the entry and only ever runs
/// DEL on names that pass validation.
pub fn cache_entry(data: &[u8]) {
    let dir = scratch("cache");
    let cache = dir.join("cache");
    std::fs::create_dir_all(cache.join("results")).unwrap();
    let entry = cache.join("results/fuzz-ctr-eth0");
    let exec = Arc::new(Recorder::default());
    let mut cfg = CniConfig::with_cache_dir(vec![], &cache, Some(exec.clone()));
    cfg.set_options(CniConfigOptions {
        cache_sync: false,
        ..CniConfigOptions::default()
    });
    let rt = fuzz_rt();
    std::fs::write(&entry, data).unwrap();
    let mut readable = None;
    for version in ["0.3.1", "0.4.0", "1.0.0", "1.1.0"] {
        let r = cached_result(&cfg, &fuzz_list(version), data, &entry);
        if version == "1.0.0" {
            readable = r;
        }
    }
    let list = fuzz_list("1.0.0");
    cached_config_and_attachments(&cfg, &list, data);
    cfg.del_network_list(&Context::background(), &list, &rt)
        .unwrap_or_else(|e| panic!("DEL blocked by the entry: {e}"));
    assert!(!entry.exists(), "DEL left the entry");
    let given = exec.0.lock().unwrap().pop().expect("the plugin ran");
    let given: Value = serde_json::from_slice(&given).unwrap();
    let want = readable.map(|r| serde_json::from_str::<Value>(&r.to_json()).unwrap());
    assert_eq!(given.get("prevResult").cloned(), want, "DEL's prevResult");
    std::fs::write(&entry, data).unwrap();
    gc_past(&cfg, data);
    scratch_done(&dir);
}

/// Whether JSON `text` holds a zero `net.IPNet` as Go prints it (`<nil>`,
/// HTML-escaped or not).
pub(super) fn has_nil_net(text: &str) -> bool {
    text.contains(r#""<nil>""#) || text.contains(r#""\u003cnil\u003e""#)
}

/// The error of reading a zero `net.IPNet` back.
const NIL_CIDR: &str = "invalid CIDR address: <nil>";

fn cached_result(
    cfg: &CniConfig,
    list: &NetworkConfigList,
    data: &[u8],
    entry: &Path,
) -> Option<CniResult> {
    match cfg.get_network_list_cached_result(list, &fuzz_rt()) {
        Ok(Some(r)) => {
            assert_eq!(r.cni_version(), list.cni_version);
            match CniResult::from_json(r.to_json().as_bytes()) {
                Ok(again) => assert_eq!(again.to_json(), r.to_json()),
                // As upstream's: an address or destination missing from
                // the entry prints as Go prints a nil IPNet, which no
                // reader takes back (see tests/libcni_faults.rs).
                Err(e) => assert!(
                    has_nil_net(&r.to_json()) && e.to_string().contains(NIL_CIDR),
                    "a cached result does not read back: {e}"
                ),
            }
            Some(r)
        }
        Ok(None) => panic!("an entry that exists reads as none"),
        Err(e) => match e.status() {
            Status::Io => {
                assert!(data.is_empty(), "{e}");
                assert_eq!(
                    e.to_string(),
                    format!("cache file {} is empty", entry.display())
                );
                None
            }
            Status::DecodeError | Status::UnsupportedVersion | Status::InvalidArgument => None,
            _ => panic!("reading a cached result: unexpected {e:?}"),
        },
    }
}

fn cached_config_and_attachments(cfg: &CniConfig, list: &NetworkConfigList, data: &[u8]) {
    let config = match cfg.get_network_list_cached_config(list, &fuzz_rt()) {
        Ok(Some(c)) => {
            assert_eq!(c.runtime_conf.container_id, "ctr");
            assert_eq!(c.runtime_conf.if_name, "eth0");
            Some(c)
        }
        Ok(None) => panic!("an entry that exists has no configuration"),
        Err(e) => {
            let m = decode_text(&e);
            assert!(
                m.starts_with(r#"failed to unmarshal cached network "fuzz" config: "#)
                    || m.starts_with(r#"read cached network "fuzz" config has wrong kind: "#),
                "{m}"
            );
            None
        }
    };
    let all = cfg.get_cached_attachments("").unwrap();
    assert!(all.len() <= 1, "{all:?}");
    if let Some(a) = all.first() {
        let c = config
            .as_ref()
            .unwrap_or_else(|| panic!("listed, but no configuration: {data:?}"));
        assert_eq!(a.config, c.config);
        assert_eq!(a.cni_args, c.runtime_conf.args);
        assert_eq!(a.capability_args, c.runtime_conf.capability_args);
    }
}

fn gc_past(cfg: &CniConfig, data: &[u8]) {
    let listed = cfg.get_cached_attachments("").unwrap();
    let list = fuzz_list("1.0.0");
    if let Err(e) = cfg.gc_network_list(&Context::background(), &list, None) {
        // Only the DEL of an attachment the entry names can fail, and
        // only because those names are not valid.
        let a = listed.first().unwrap_or_else(|| panic!("GC failed: {e}"));
        assert!(
            e.to_string().starts_with(&format!(
                "failed to delete stale attachment {} {}: ",
                a.container_id, a.if_name
            )),
            "{e} ({data:?})"
        );
        // The name rules' errors are upstream's CNI errors: code 3 for a
        // missing container id, 4 for the others (an entry without a
        // container id is listed, as upstream lists it, and GC keeps
        // failing on it: a documented tolerance). So does an entry whose
        // CNI_ARGS pairs an ADD of ours would refuse (a value with ';'
        // or NUL, a key with '=' or ';', written by another tool): its DEL
        // is refused as that ADD would be, naming the pair.
        let refused_args = e.status() == cniinvoke::Status::InvalidArgument
            && e.to_string().contains("(delete): plugin argument ");
        assert!(
            refused_args || [3, 4].contains(&e.to_cni_error().code),
            "{e:?}"
        );
        // A DEL that was refused collected nothing.
        return;
    }
    // An entry that names itself is collected.
    if listed.iter().any(|a| {
        (
            a.network.as_str(),
            a.container_id.as_str(),
            a.if_name.as_str(),
        ) == ("fuzz", "ctr", "eth0")
    }) {
        assert!(cfg.get_cached_attachments("").unwrap().is_empty());
    }
}

/// Loose JSON equality: numbers compare as `f64` (Go prints `1.0` as `1`).
pub(super) fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// `original NUL values`: `values` (when it is a JSON object) set in
/// `original`. A success is a plugin configuration whose bytes are a JSON
/// object holding every value set and every other key of the original;
/// failures are Decode or InvalidArgument errors with upstream's texts.
pub fn inject_conf(data: &[u8]) {
    let (original, values) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b"{}"[..]),
    };
    let Ok(Value::Object(values)) = serde_json::from_slice::<Value>(values) else {
        return;
    };
    let conf = libcni::PluginConfig {
        network: libcni::PluginConf::default(),
        bytes: original.to_vec(),
    };
    match libcni::inject_conf(&conf, &values) {
        Ok(out) => {
            assert!(!out.network.type_.is_empty());
            let got: Value = serde_json::from_slice(&out.bytes)
                .unwrap_or_else(|e| panic!("injected bytes are not JSON ({e})"));
            let got = got.as_object().expect("an object");
            for (k, v) in &values {
                assert!(got.get(k).is_some_and(|g| same(g, v)), "{k}: {got:?}");
            }
            if let Ok(Value::Object(orig)) = serde_json::from_slice::<Value>(original) {
                for (k, v) in orig.iter().filter(|(k, _)| !values.contains_key(*k)) {
                    assert!(got.get(k).is_some_and(|g| same(g, v)), "{k} lost");
                }
            }
            assert_eq!(libcni::conf_from_bytes(&out.bytes).unwrap(), out);
        }
        Err(Error::Decode(m)) => assert!(
            m.starts_with("unmarshal existing network bytes: ")
                || m.starts_with("error parsing configuration: "),
            "{m}"
        ),
        Err(Error::InvalidArgument(m)) => assert!(
            m == "keys cannot be empty"
                || (m.starts_with("key '") && m.ends_with("' value must not be nil")),
            "{m}"
        ),
        Err(e) => panic!("inject_conf: unexpected {e:?}"),
    }
}
