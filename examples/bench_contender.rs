//! The benchmark's Rust contender (`make bench`, see bench/run.py): the
//! Rust API called as a Rust runtime calls it. Takes the contender protocol
//! of bench/common.h and prints one JSON line.
//!
//! `cargo run --release --example bench_contender -- --plugin PATH
//! --workload add|version|output|cancel|list --calls N [--threads T]
//! [--touch-mib M] [--cancel-after-ms MS]`
//!
//! The list workload (bench/list.h) parses the list once, as a runtime
//! loading it from a file does, and runs `add_network_list` +
//! `del_network_list` on one `CniConfig`.

use cniinvoke::libcni::{
    conf_list_from_bytes, CniConfig, CniConfigOptions, NetworkConfigList, RuntimeConf,
};
use cniinvoke::{
    exec_plugin_with_result, exec_plugin_without_result, get_version_info, Args, Context, Error,
    RawExec, RawExecOptions, StderrSink,
};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const NETCONF: &[u8] = br#"{"cniVersion":"1.0.0","name":"bench","type":"bench"}"#;

struct Opts {
    plugin: String,
    workload: String,
    calls: u64,
    threads: u64,
    touch_mib: usize,
    cancel_after: Duration,
}

fn parse() -> Opts {
    let mut o = Opts {
        plugin: String::new(),
        workload: "add".into(),
        calls: 10,
        threads: 0,
        touch_mib: 0,
        cancel_after: Duration::from_millis(20),
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let usage = || -> ! {
        eprintln!(
            "usage: --plugin PATH --workload add|version|output|cancel --calls N \
             [--threads T] [--touch-mib M] [--cancel-after-ms MS]"
        );
        std::process::exit(2)
    };
    for pair in argv.chunks(2) {
        let [flag, value] = pair else { usage() };
        let num = || value.parse::<u64>().unwrap_or_else(|_| usage());
        match flag.as_str() {
            "--plugin" => o.plugin = value.clone(),
            "--workload" => o.workload = value.clone(),
            "--calls" => o.calls = num(),
            "--threads" => o.threads = num(),
            "--touch-mib" => o.touch_mib = num() as usize,
            "--cancel-after-ms" => o.cancel_after = Duration::from_millis(num()),
            _ => usage(),
        }
    }
    if o.plugin.is_empty() || o.calls == 0 {
        usage()
    }
    o
}

/// A field of /proc/self/status in KiB.
fn status_kib(field: &str) -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(-1)
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The list workload's config and list (bench/list.h).
struct Lists {
    cni: CniConfig,
    list: NetworkConfigList,
    next: AtomicU64,
}

impl Lists {
    fn new(plugin: &str) -> Lists {
        let (dir, ty) = plugin
            .rsplit_once('/')
            .expect("the list workload needs --plugin as DIR/NAME");
        let text = format!(
            r#"{{"cniVersion":"1.0.0","name":"benchlist","plugins":[{{"type":"{ty}"}},{{"type":"{ty}"}},{{"type":"{ty}"}}]}}"#
        );
        let cache = std::env::var("BENCH_CACHE_DIR")
            .ok()
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "/tmp/cniinvoke-bench-cache".into());
        let mut cni = CniConfig::with_cache_dir(vec![dir.to_string()], cache, None);
        cni.set_options(CniConfigOptions {
            cache_sync: std::env::var("BENCH_CACHE_SYNC").as_deref() != Ok("0"),
            ..CniConfigOptions::default()
        });
        Lists {
            cni,
            list: conf_list_from_bytes(text.as_bytes()).expect("the bench list parses"),
            next: AtomicU64::new(0),
        }
    }

    /// One list ADD + DEL on a fresh attachment.
    fn call(&self, ctx: &Context) -> Result<(), Error> {
        let rt = RuntimeConf {
            container_id: format!("bench-list-{}", self.next.fetch_add(1, Ordering::Relaxed)),
            netns: "/var/run/netns/bench".into(),
            if_name: "eth0".into(),
            ..RuntimeConf::default()
        };
        self.cni.add_network_list(ctx, &self.list, &rt)?;
        self.cni.del_network_list(ctx, &self.list, &rt)
    }
}

struct Bench {
    opts: Opts,
    args: Args,
    discard: RawExec,
    lists: Option<Lists>,
}

impl Bench {
    /// One call; for the cancel workload, the cancel-to-return time.
    fn call(&self) -> Result<Option<Duration>, Error> {
        let background = Context::background();
        let plugin = self.opts.plugin.as_str();
        match self.opts.workload.as_str() {
            "add" => exec_plugin_with_result(&background, plugin, NETCONF, &self.args, None)
                .map(|_| None),
            "version" => get_version_info(&background, plugin, None).map(|_| None),
            "output" => exec_plugin_without_result(
                &background,
                plugin,
                NETCONF,
                &self.args,
                Some(&self.discard),
            )
            .map(|_| None),
            "list" => match &self.lists {
                Some(lists) => lists.call(&background).map(|_| None),
                None => Err(Error::InvalidArgument("no list config".into())),
            },
            "cancel" => {
                let ctx = Context::new();
                let canceller = {
                    let ctx = ctx.clone();
                    let after = self.opts.cancel_after;
                    std::thread::spawn(move || {
                        std::thread::sleep(after);
                        let fired = Instant::now();
                        ctx.cancel();
                        fired
                    })
                };
                let r = exec_plugin_with_result(&ctx, plugin, NETCONF, &self.args, None);
                let done = Instant::now();
                let fired = canceller.join().expect("canceller thread");
                match r {
                    Err(Error::Cancelled(_)) => Ok(Some(done - fired)),
                    Err(e) => Err(e),
                    Ok(_) => Err(Error::InvalidArgument("the call was not cancelled".into())),
                }
            }
            w => Err(Error::InvalidArgument(format!("unknown workload {w}"))),
        }
    }
}

fn main() {
    let opts = parse();
    let mut touched = vec![1u8; opts.touch_mib << 20];
    std::hint::black_box(&mut touched);
    let bench = Bench {
        args: Args {
            command: "ADD".into(),
            container_id: "bench-ctr".into(),
            netns: "/var/run/netns/bench".into(),
            if_name: "eth0".into(),
            path: "/usr/lib/cni".into(),
            ..Args::default()
        },
        discard: RawExec::new(RawExecOptions {
            stderr: StderrSink::Discard,
            ..RawExecOptions::default()
        }),
        lists: (opts.workload == "list").then(|| Lists::new(&opts.plugin)),
        opts,
    };
    let o = &bench.opts;
    // RSS is measured from before the first call, warm-up included.
    reset_peak();
    let rss_base = status_kib("VmRSS");
    // Warm-up, the cancel workload too (two cancelled calls).
    for _ in 0..2 {
        if let Err(e) = bench.call() {
            eprintln!("rust: warm-up call failed: {e}");
            std::process::exit(2);
        }
    }
    let errors = AtomicU64::new(0);
    let fail = |e: Error| {
        if errors.fetch_add(1, Ordering::Relaxed) == 0 {
            eprintln!("rust: {e}");
        }
    };
    let mut per_call = Vec::new();
    let t0 = Instant::now();
    if o.threads == 0 {
        for _ in 0..o.calls {
            let s = Instant::now();
            match bench.call() {
                Ok(cancel) => per_call.push(cancel.unwrap_or_else(|| s.elapsed()).as_nanos()),
                Err(e) => {
                    per_call.push(s.elapsed().as_nanos());
                    fail(e)
                }
            }
        }
    } else {
        let next = AtomicU64::new(0);
        std::thread::scope(|scope| {
            for _ in 0..o.threads {
                scope.spawn(|| {
                    while next.fetch_add(1, Ordering::Relaxed) < o.calls {
                        if let Err(e) = bench.call() {
                            fail(e)
                        }
                    }
                });
            }
        });
    }
    let total = t0.elapsed().as_nanos();
    let rss_peak = status_kib("VmHWM");
    let per_call: Vec<String> = per_call.iter().map(u128::to_string).collect();
    let errors = errors.load(Ordering::Relaxed);
    println!(
        "{{\"contender\":\"rust\",\"workload\":\"{}\",\"threads\":{},\"touch_mib\":{},\
         \"calls\":{},\"errors\":{errors},\"total_ns\":{total},\"rss_base_kib\":{rss_base},\
         \"rss_peak_kib\":{rss_peak},\"per_call_ns\":[{}]}}",
        o.workload,
        o.threads,
        o.touch_mib,
        o.calls,
        per_call.join(",")
    );
    drop(touched);
    std::process::exit(i32::from(errors > 0));
}
