//! The benchmark's Rust contender (`make bench`, see bench/run.py): the
//! Rust API called as a Rust runtime calls it. Takes the contender protocol
//! of bench/common.h and prints one JSON line.
//!
//! `cargo run --release --example bench_contender -- --plugin PATH
//! --workload add|version|output|cancel --calls N [--threads T]
//! [--touch-mib M] [--cancel-after-ms MS]`

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

struct Bench {
    opts: Opts,
    args: Args,
    discard: RawExec,
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
        opts,
    };
    let o = &bench.opts;
    // RSS is measured from before the first call, warm-up included.
    reset_peak();
    let rss_base = status_kib("VmRSS");
    if o.workload != "cancel" {
        for _ in 0..2 {
            if let Err(e) = bench.call() {
                eprintln!("rust: warm-up call failed: {e}");
                std::process::exit(2);
            }
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
