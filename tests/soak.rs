//! Soak and stress against the test plugin: many calls with the host's
//! memory and descriptors flat, and 64 threads with random cancellation
//! landing in every phase of a call, with no leak, zombie, hang or wrong
//! answer.
//!
//! `CNI_SOAK_CALLS` (default 2000) sets the calls of each phase and
//! `CNI_SOAK_SECONDS` (default 120) bounds each phase's time: no new call
//! starts after it, and a watchdog aborts the process if a phase overruns
//! it by a minute (a hang). A phase that the time bound cut short must still
//! have made `CNI_SOAK_MIN_CALLS` calls (default a tenth of the calls), so
//! that a slow or stuck engine cannot pass by doing next to nothing.
//! `make soak` runs 100,000 calls.

mod common;

use cniinvoke::{Context, Error};
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn calls() -> usize {
    env_num("CNI_SOAK_CALLS", 2000) as usize
}

fn min_calls() -> usize {
    env_num("CNI_SOAK_MIN_CALLS", calls() as u64 / 10) as usize
}

/// Fails a phase that made fewer than [`min_calls`] calls.
fn assert_enough(phase: &str, made: usize) {
    let min = min_calls();
    assert!(
        made >= min,
        "{phase}: only {made} calls within {:?}, fewer than the minimum {min}",
        budget()
    );
}

fn budget() -> Duration {
    Duration::from_secs(env_num("CNI_SOAK_SECONDS", 120))
}

/// The tests of this file measure the whole process: one at a time.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// This process's resident set, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}

/// xorshift64*: enough randomness for delays and sizes, no dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

/// A unique payload for call `i`: its number, padded to `len` bytes.
fn payload(i: usize, len: usize) -> Vec<u8> {
    let mut p = format!("call-{i:08}:").into_bytes();
    p.resize(len.max(p.len()), b'a' + (i % 26) as u8);
    p
}

/// Aborts the process if not disarmed within `limit` (a hung call).
struct Watchdog(Arc<AtomicBool>);

impl Watchdog {
    fn arm(what: &'static str, limit: Duration) -> Watchdog {
        let done = Arc::new(AtomicBool::new(false));
        let flag = done.clone();
        std::thread::spawn(move || {
            let end = Instant::now() + limit;
            while Instant::now() < end {
                if flag.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            eprintln!("soak: {what} hung for more than {limit:?}");
            std::process::abort();
        });
        Watchdog(done)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn many_calls_keep_memory_and_descriptors_flat() {
    let _serial = serial();
    let n = calls();
    let d = common::Debug::new(json!({"echoStdin": true}));
    let env = d.env("ADD");
    let raw = common::quiet();
    let ctx = Context::background();
    let call = |i: usize| {
        let p = payload(i, 64 + i % 4096);
        let out = raw
            .exec_plugin(&ctx, common::plugin(), &p, Some(&env))
            .unwrap();
        assert_eq!(out, p, "call {i} got another call's output");
    };

    let warmup = (n / 10).clamp(10, 500);
    for i in 0..warmup {
        call(i);
    }
    let (fds_before, rss_before) = (common::open_fds(), rss_kib());
    let _watchdog = Watchdog::arm("sequential soak", budget() + Duration::from_secs(60));
    let start = Instant::now();
    let mut done = warmup;
    while done < n && start.elapsed() < budget() {
        call(done);
        done += 1;
    }
    let elapsed = start.elapsed();
    let (fds_after, rss_after) = (common::open_fds(), rss_kib());
    eprintln!(
        "soak sequential: {} calls after {warmup} warm-up in {:.1?} ({:.0}/s); RSS {rss_before} -> {rss_after} KiB; fds {} -> {}",
        done - warmup,
        elapsed,
        (done - warmup) as f64 / elapsed.as_secs_f64(),
        fds_before.len(),
        fds_after.len()
    );
    assert_enough("sequential soak", done - warmup);
    assert_eq!(fds_after, fds_before, "descriptors leaked");
    assert!(
        rss_after < rss_before + 4 * 1024,
        "RSS grew from {rss_before} to {rss_after} KiB"
    );
    assert!(!common::has_children(), "a child was left behind");
}

/// What happened to one call.
#[derive(Default)]
struct Tally {
    ok: AtomicUsize,
    cancelled: AtomicUsize,
    cancel_scheduled: AtomicUsize,
}

#[test]
fn sixty_four_threads_with_random_cancellation() {
    let _serial = serial();
    const THREADS: usize = 64;
    // Scripts with small random sleeps; every one reads stdin and echoes it.
    let scripts: Vec<(common::Debug, Vec<String>)> = [0, 0, 1, 2, 3, 5]
        .into_iter()
        .map(|ms| {
            let d =
                common::Debug::new(json!({"readStdin": true, "sleepMs": ms, "echoStdin": true}));
            let env = d.env("ADD");
            (d, env)
        })
        .collect();
    let scripts = Arc::new(scripts);

    // One canceller thread: contexts to cancel, each after its own delay.
    // `retired` counts the contexts it has cancelled and dropped (a
    // context it still holds may hold a descriptor of its own).
    let (cancel_tx, cancel_rx) = mpsc::channel::<(Instant, Context)>();
    let retired = Arc::new(AtomicUsize::new(0));
    let retired_by_canceller = retired.clone();
    let canceller = std::thread::spawn(move || {
        let mut pending: Vec<(Instant, Context)> = Vec::new();
        loop {
            let now = Instant::now();
            let held = pending.len();
            pending.retain(|(at, ctx)| {
                if *at <= now {
                    ctx.cancel();
                    false
                } else {
                    true
                }
            });
            retired_by_canceller.fetch_add(held - pending.len(), Ordering::SeqCst);
            let wait = pending
                .iter()
                .map(|(at, _)| at.saturating_duration_since(now))
                .min()
                .unwrap_or(Duration::from_millis(50));
            match cancel_rx.recv_timeout(wait) {
                Ok(job) => pending.push(job),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    if pending.is_empty() {
                        return;
                    }
                }
            }
        }
    });

    let run = |total: usize, seed: u64, limit: Duration| -> (Tally, Duration) {
        let tally = Arc::new(Tally::default());
        let next = Arc::new(AtomicUsize::new(0));
        let start = Instant::now();
        let threads: Vec<_> = (0..THREADS)
            .map(|t| {
                let (tally, next, scripts) = (tally.clone(), next.clone(), scripts.clone());
                let cancel_tx = cancel_tx.clone();
                std::thread::spawn(move || {
                    let raw = common::quiet();
                    let mut rng = Rng::new(seed + t as u64);
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        if i >= total || start.elapsed() >= limit {
                            return;
                        }
                        // Mostly small payloads; some larger than a pipe's
                        // buffer so cancellation can land mid-write.
                        let len = match rng.below(10) {
                            0 => 64 * 1024 + rng.below(192 * 1024) as usize,
                            _ => 16 + rng.below(2048) as usize,
                        };
                        let p = payload(i, len);
                        let (_, env) = &scripts[rng.below(scripts.len() as u64) as usize];
                        let ctx = Context::new();
                        let cancels = rng.below(2) == 0;
                        if cancels {
                            // 0 to 4 ms: spawn, stdin write, output read, wait.
                            let delay = Duration::from_micros(rng.below(4000));
                            cancel_tx
                                .send((Instant::now() + delay, ctx.clone()))
                                .unwrap();
                            tally.cancel_scheduled.fetch_add(1, Ordering::SeqCst);
                        }
                        match raw.exec_plugin(&ctx, common::plugin(), &p, Some(env)) {
                            Ok(out) => {
                                assert!(out == p, "call {i} got a wrong output");
                                tally.ok.fetch_add(1, Ordering::SeqCst);
                            }
                            Err(Error::Cancelled(_)) if cancels => {
                                tally.cancelled.fetch_add(1, Ordering::SeqCst);
                            }
                            Err(e) => panic!("call {i}: unexpected error {e:?}"),
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("a caller thread panicked");
        }
        let tally = Arc::try_unwrap(tally).unwrap_or_default();
        (tally, start.elapsed())
    };

    let n = calls();
    // Warm-up: thread stacks, malloc arenas, the plugin's page cache.
    let (warm_up, _) = run((n / 10).clamp(THREADS, 2000), 1, budget());
    // The descriptors are counted once the canceller holds no context of
    // the warm-up (each is due within 4 ms of its call).
    let scheduled = warm_up.cancel_scheduled.load(Ordering::SeqCst);
    let settle = Instant::now();
    while retired.load(Ordering::SeqCst) < scheduled {
        assert!(
            settle.elapsed() < Duration::from_secs(10),
            "the canceller is stuck"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let (fds_before, rss_before) = (common::open_fds(), rss_kib());
    let (tally, elapsed) = {
        let _watchdog = Watchdog::arm("concurrent soak", budget() + Duration::from_secs(60));
        run(n, 1000, budget())
    };
    drop(cancel_tx);
    canceller.join().unwrap();
    let (fds_after, rss_after) = (common::open_fds(), rss_kib());
    let ok = tally.ok.load(Ordering::SeqCst);
    let cancelled = tally.cancelled.load(Ordering::SeqCst);
    eprintln!(
        "soak concurrent: {} calls from {THREADS} threads in {:.1?} ({:.0}/s): {ok} ok, {cancelled} cancelled of {} scheduled cancellations; RSS {rss_before} -> {rss_after} KiB; fds {} -> {}",
        ok + cancelled,
        elapsed,
        (ok + cancelled) as f64 / elapsed.as_secs_f64(),
        tally.cancel_scheduled.load(Ordering::SeqCst),
        fds_before.len(),
        fds_after.len()
    );
    assert!(
        elapsed < budget() + Duration::from_secs(30),
        "took {elapsed:?}"
    );
    assert_enough("concurrent soak", ok + cancelled);
    if ok + cancelled >= 500 {
        assert!(ok > 0 && cancelled > 0, "both outcomes must occur");
    }
    assert_eq!(fds_after, fds_before, "descriptors leaked");
    assert!(
        rss_after < rss_before + 8 * 1024,
        "RSS grew from {rss_before} to {rss_after} KiB"
    );
    assert!(!common::has_children(), "a child was left behind");
}
