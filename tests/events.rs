//! The structured events (src/events.rs) as a Rust program sees them:
//! through a `log` logger (target `cniinvoke`, key-values) and through the
//! core sink, for plugin runs and list operations, successful and failed.

mod libcni_support;

use cniinvoke::events::{self, Event, EventKind};
use libcni_support::{bg, failing, p, Net};
use log::kv::{Key, Value, VisitSource};
use log::{Level, LevelFilter, Log, Metadata, Record};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

/// One record the test logger saw.
#[derive(Debug, Clone)]
struct Seen {
    level: Level,
    message: String,
    kv: BTreeMap<String, String>,
}

struct TestLogger(Mutex<Vec<Seen>>);

struct Collect<'a>(&'a mut BTreeMap<String, String>);

impl<'kvs> VisitSource<'kvs> for Collect<'_> {
    fn visit_pair(&mut self, key: Key<'kvs>, value: Value<'kvs>) -> Result<(), log::kv::Error> {
        self.0.insert(key.to_string(), value.to_string());
        Ok(())
    }
}

impl Log for TestLogger {
    fn enabled(&self, m: &Metadata) -> bool {
        m.target() == events::TARGET
    }

    fn log(&self, r: &Record) {
        if !self.enabled(r.metadata()) {
            return;
        }
        let mut kv = BTreeMap::new();
        r.key_values().visit(&mut Collect(&mut kv)).unwrap();
        self.0.lock().unwrap().push(Seen {
            level: r.level(),
            message: r.args().to_string(),
            kv,
        });
    }

    fn flush(&self) {}
}

fn logger() -> &'static TestLogger {
    static L: OnceLock<&'static TestLogger> = OnceLock::new();
    L.get_or_init(|| {
        let l: &'static TestLogger = Box::leak(Box::new(TestLogger(Mutex::new(Vec::new()))));
        log::set_logger(l).unwrap();
        log::set_max_level(LevelFilter::Trace);
        l
    })
}

/// The records about container `ctr` (tests run in parallel).
fn records_of(ctr: &str) -> Vec<Seen> {
    let all = logger().0.lock().unwrap();
    all.iter()
        .filter(|s| s.kv.get("container_id").map(String::as_str) == Some(ctr))
        .cloned()
        .collect()
}

fn kv<'a>(s: &'a Seen, key: &str) -> Option<&'a str> {
    s.kv.get(key).map(String::as_str)
}

#[test]
fn a_list_add_reports_each_plugin_run_then_the_list() {
    logger();
    let net = Net::new();
    let list = net.list("evnet", "1.0.0", vec![p("alpha"), p("beta")]);
    net.cfg()
        .add_network_list(&bg(), &list, &net.rt("ev-add"))
        .unwrap();

    let seen = records_of("ev-add");
    let kinds: Vec<(&str, &str, Option<&str>)> = seen
        .iter()
        .map(|s| {
            (
                kv(s, "kind").unwrap(),
                kv(s, "verb").unwrap(),
                kv(s, "plugin_type"),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("plugin", "ADD", Some("alpha")),
            ("plugin", "ADD", Some("beta")),
            ("list", "ADD", None)
        ]
    );
    let alpha = &seen[0];
    assert_eq!(alpha.level, Level::Debug);
    assert_eq!(
        kv(alpha, "plugin_path"),
        Some(net.bin.join("alpha").to_str().unwrap())
    );
    assert_eq!(kv(alpha, "network"), Some("evnet"));
    assert_eq!(kv(alpha, "ifname"), Some("eth0"));
    assert_eq!(kv(alpha, "outcome"), Some("ok"));
    assert_eq!(kv(alpha, "result_version"), Some("1.0.0"));
    assert!(kv(alpha, "duration_us").unwrap().parse::<u64>().is_ok());
    assert_eq!(kv(alpha, "error_text"), None);

    let whole = &seen[2];
    assert_eq!(whole.level, Level::Info);
    assert_eq!(kv(whole, "network"), Some("evnet"));
    assert_eq!(kv(whole, "result_version"), Some("1.0.0"));
    assert!(
        whole
            .message
            .starts_with("list ADD network=evnet container=ev-add: ok in "),
        "{}",
        whole.message
    );
}

#[test]
fn a_failed_plugin_reports_its_code_text_and_exit_status() {
    logger();
    let net = Net::new();
    let list = net.list(
        "evfail",
        "1.0.0",
        vec![p("alpha"), failing("beta", &["ADD"], 7)],
    );
    let err = net
        .cfg()
        .add_network_list(&bg(), &list, &net.rt("ev-fail"))
        .unwrap_err();

    let seen = records_of("ev-fail");
    assert_eq!(seen.len(), 3, "{seen:#?}");
    let beta = &seen[1];
    assert_eq!(beta.level, Level::Warn);
    assert_eq!(kv(beta, "plugin_type"), Some("beta"));
    assert_eq!(kv(beta, "outcome"), Some("error"));
    assert_eq!(kv(beta, "error_status"), Some("PluginError"));
    assert_eq!(kv(beta, "error_code"), Some("7"));
    assert_eq!(kv(beta, "exit_status"), Some("exit status 1"));
    assert_eq!(kv(beta, "result_version"), None);

    let whole = &seen[2];
    assert_eq!(kv(whole, "kind"), Some("list"));
    assert_eq!(kv(whole, "error_text"), Some(err.to_string().as_str()));
    assert_eq!(kv(whole, "error_code"), Some("7"));
}

#[test]
fn the_sink_gets_events_at_its_level_until_cleared() {
    logger();
    let net = Net::new();
    let list = net.list("evsink", "1.0.0", vec![p("gamma")]);
    let got: Arc<Mutex<Vec<Event>>> = Arc::default();
    let keep = got.clone();
    events::set_sink(
        Box::new(move |e: &Event| {
            if e.container_id.as_deref() == Some("ev-sink") {
                keep.lock().unwrap().push(e.clone());
            }
        }),
        LevelFilter::Info,
    );
    let cfg = net.cfg();
    let rt = net.rt("ev-sink");
    cfg.add_network_list(&bg(), &list, &rt).unwrap();
    events::clear_sink();
    cfg.del_network_list(&bg(), &list, &rt).unwrap();

    let got = got.lock().unwrap();
    // Info: the list operation, not the plugin run (Debug); nothing after
    // clear_sink.
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0].kind, EventKind::List);
    assert_eq!(got[0].verb, "ADD");
    let v: serde_json::Value = serde_json::from_str(&got[0].to_json()).unwrap();
    assert_eq!(v["network"], json!("evsink"));
    assert_eq!(v["ifname"], json!("eth0"));
    assert_eq!(v["outcome"], json!("ok"));
    // The logger saw every run, the sink notwithstanding.
    let verbs: Vec<String> = records_of("ev-sink")
        .iter()
        .map(|s| format!("{} {}", kv(s, "kind").unwrap(), kv(s, "verb").unwrap()))
        .collect();
    assert_eq!(verbs, ["plugin ADD", "list ADD", "plugin DEL", "list DEL"]);
}

#[test]
fn a_version_query_names_the_plugin_from_its_path() {
    logger();
    let net = Net::new();
    let info = net.cfg().get_version_info(&bg(), "delta").unwrap();
    assert!(!info.supported_versions().is_empty());
    let path = net.bin.join("delta").to_string_lossy().into_owned();
    let all = logger().0.lock().unwrap();
    let run = all
        .iter()
        .find(|s| kv(s, "plugin_path") == Some(path.as_str()))
        .expect("an event for the VERSION run");
    assert_eq!(kv(run, "verb"), Some("VERSION"));
    assert_eq!(kv(run, "plugin_type"), Some("delta"));
    assert_eq!(kv(run, "container_id"), None);
}
