//! `cniinvoke`: run any CNI plugin by hand.

use clap::{Args as ClapArgs, Parser, Subcommand};
use cniinvoke::types::CniResult;
use cniinvoke::{Args, Context, Error, Status};
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Where plugins are looked up when neither --path nor CNI_PATH says.
const DEFAULT_PATH: &str = "/opt/cni/bin:/usr/lib/cni";

const EXIT_CODES: &str = "\
Exit status:
  0    success
  2    bad command line
  11   invalid argument        15   undecodable config, result or version report
  12   plugin not found        16   unsupported CNI version
  13   the plugin failed       17   timed out (plugin killed)
  14   could not run plugin    18   cancelled (plugin killed)
  130  interrupted by Ctrl-C (plugin killed)
On failure the CNI error JSON ({\"code\":…,\"msg\":…,\"details\":…}) goes to stderr;
code 0 means the failure was on this side, not the plugin's.";

#[derive(Parser)]
#[command(
    name = "cniinvoke",
    version,
    about = "Run CNI network plugins: find them, invoke them, convert their results",
    after_help = EXIT_CODES
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Attach a container to a network; prints the result.
    #[command(
        after_help = "Example:\n  cniinvoke add bridge --netconf net.json --netns /var/run/netns/ctr --containerid ctr"
    )]
    Add(Op),
    /// Check a container's networking is as ADD left it.
    #[command(
        after_help = "Example:\n  cniinvoke check bridge --netconf net-with-prevResult.json --netns /var/run/netns/ctr"
    )]
    Check(Op),
    /// Detach a container from a network.
    #[command(
        after_help = "Example:\n  cniinvoke del bridge --netconf net.json --netns /var/run/netns/ctr --containerid ctr"
    )]
    Del(Op),
    /// Ask whether the plugin is ready to serve ADDs.
    #[command(after_help = "Example:\n  cniinvoke status bridge --netconf net.json")]
    Status(Op),
    /// Garbage-collect attachments not in the config's valid list.
    #[command(after_help = "Example:\n  cniinvoke gc host-local --netconf gc.json")]
    Gc(Op),
    /// Print the spec versions a plugin supports.
    #[command(after_help = "Example:\n  cniinvoke version bridge")]
    Version {
        /// Plugin name (looked up on the path) or path to the binary.
        plugin: String,
        #[command(flatten)]
        common: Common,
    },
    /// Print where a plugin is found.
    #[command(after_help = "Example:\n  cniinvoke find bridge --path /opt/cni/bin:/usr/lib/cni")]
    Find {
        /// Plugin name.
        plugin: String,
        /// Search path (colon-separated); default: CNI_PATH, else /opt/cni/bin:/usr/lib/cni.
        #[arg(long)]
        path: Option<String>,
    },
    /// Convert a result to another CNI version.
    #[command(
        after_help = "Example:\n  cniinvoke add bridge --netconf net.json | cniinvoke convert --to 0.4.0"
    )]
    Convert {
        /// Target version (0.1.0 … 1.1.0).
        #[arg(long)]
        to: String,
        /// Result JSON file, or - for stdin.
        #[arg(default_value = "-")]
        file: String,
    },
}

#[derive(ClapArgs)]
struct Common {
    /// Search path (colon-separated); default: CNI_PATH, else /opt/cni/bin:/usr/lib/cni.
    #[arg(long)]
    path: Option<String>,
    /// Give up (and kill the plugin) after this long: 30s, 500ms, 2m or plain seconds.
    #[arg(long, value_parser = parse_duration)]
    timeout: Option<Duration>,
}

#[derive(ClapArgs)]
struct Op {
    /// Plugin name (looked up on the path) or path to the binary.
    plugin: String,
    /// Network configuration file, or - for stdin.
    #[arg(long)]
    netconf: String,
    /// CNI_CONTAINERID.
    #[arg(long, default_value = "cniinvoke")]
    containerid: String,
    /// CNI_NETNS: path of the network namespace.
    #[arg(long, default_value = "")]
    netns: String,
    /// CNI_IFNAME.
    #[arg(long, default_value = "eth0")]
    ifname: String,
    /// CNI_ARGS, e.g. 'IgnoreUnknown=1;K8S_POD_NAME=web'.
    #[arg(long, default_value = "")]
    args: String,
    #[command(flatten)]
    common: Common,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let n: f64 = num
        .parse()
        .map_err(|_| format!("invalid duration {s:?} (try 30s, 500ms, 2m)"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("unknown unit {unit:?} in {s:?} (ms, s, m, h)")),
    };
    Duration::try_from_secs_f64(secs).map_err(|_| format!("invalid duration {s:?}"))
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// A context that Ctrl-C (or SIGTERM) cancels, with the optional timeout.
fn context(timeout: Option<Duration>) -> Context {
    // SAFETY: the handler only stores to an atomic.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
    let ctx = match timeout {
        Some(t) => Context::with_timeout(t),
        None => Context::new(),
    };
    ctx.set_interrupt_check(
        Duration::from_millis(20),
        Arc::new(|| INTERRUPTED.load(Ordering::SeqCst)),
    );
    ctx
}

fn search_path(flag: Option<String>) -> String {
    flag.or_else(|| std::env::var("CNI_PATH").ok().filter(|p| !p.is_empty()))
        .unwrap_or_else(|| DEFAULT_PATH.to_string())
}

/// A plugin given by path is used as it is; a name is looked up.
fn locate(plugin: &str, path: &str) -> cniinvoke::Result<String> {
    if plugin.contains('/') {
        return Ok(plugin.to_string());
    }
    let dirs: Vec<&str> = path.split(':').filter(|d| !d.is_empty()).collect();
    cniinvoke::find_in_path(plugin, &dirs)
}

fn read_input(file: &str) -> cniinvoke::Result<Vec<u8>> {
    let read = if file == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map(|_| buf)
    } else {
        std::fs::read(file)
    };
    read.map_err(|e| Error::InvalidArgument(format!("reading {file}: {e}")))
}

fn run_op(command: &str, op: Op) -> cniinvoke::Result<Option<String>> {
    let path = search_path(op.common.path);
    let plugin = locate(&op.plugin, &path)?;
    let netconf = read_input(&op.netconf)?;
    let args = Args {
        command: command.into(),
        container_id: op.containerid,
        netns: op.netns,
        if_name: op.ifname,
        path,
        plugin_args_str: op.args,
        ..Args::default()
    };
    let ctx = context(op.common.timeout);
    if command == "ADD" {
        let r = cniinvoke::exec_plugin_with_result(&ctx, &plugin, &netconf, &args, None)?;
        Ok(Some(r.to_json_pretty()))
    } else {
        cniinvoke::exec_plugin_without_result(&ctx, &plugin, &netconf, &args, None)?;
        Ok(None)
    }
}

fn run(cli: Cli) -> cniinvoke::Result<Option<String>> {
    match cli.cmd {
        Cmd::Add(op) => run_op("ADD", op),
        Cmd::Check(op) => run_op("CHECK", op),
        Cmd::Del(op) => run_op("DEL", op),
        Cmd::Status(op) => run_op("STATUS", op),
        Cmd::Gc(op) => run_op("GC", op),
        Cmd::Version { plugin, common } => {
            let plugin = locate(&plugin, &search_path(common.path))?;
            let info = cniinvoke::get_version_info(&context(common.timeout), &plugin, None)?;
            let value: serde_json::Value =
                serde_json::from_str(&info.to_json()).map_err(|e| Error::Decode(e.to_string()))?;
            Ok(Some(
                serde_json::to_string_pretty(&value).unwrap_or_default(),
            ))
        }
        Cmd::Find { plugin, path } => locate(&plugin, &search_path(path)).map(Some),
        Cmd::Convert { to, file } => {
            let input = read_input(&file)?;
            let result = CniResult::from_json(&input)?.convert_to(&to)?;
            Ok(Some(result.to_json_pretty()))
        }
    }
}

fn exit_code(e: &Error) -> i32 {
    if matches!(e, Error::Cancelled(_)) && INTERRUPTED.load(Ordering::SeqCst) {
        return 130;
    }
    match e.status() {
        Status::Ok => 0,
        Status::Panic => 70,
        s => 10 + s as i32,
    }
}

fn main() {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Some(out)) => println!("{out}"),
        Ok(None) => {}
        Err(e) => {
            eprintln!("{}", e.to_cni_error().to_json());
            std::process::exit(exit_code(&e));
        }
    }
}
