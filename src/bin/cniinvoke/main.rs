//! `cniinvoke`: run any CNI plugin by hand, or a network configuration list
//! as upstream's `cnitool` does (`cniinvoke net`).

mod cnitool;
mod context;
mod docs;
mod invoke;
mod net;
mod net_info;
mod net_ops;

use clap::{CommandFactory, Parser, Subcommand};
use cniinvoke::{Error, Status};

const EXIT_CODES: &str = "\
Exit status:
  0    success
  2    bad command line
  11   invalid argument        15   undecodable config, result or version report
  12   plugin or network not found
  13   the plugin failed       16   unsupported CNI version
  14   could not run plugin    17   timed out (plugin killed)
  18   cancelled               19   cache or configuration file unreadable/unwritable
  130  interrupted by Ctrl-C (plugin killed)
On failure the plugin commands print the CNI error JSON ({\"code\":…,\"msg\":…,\"details\":…})
on stderr (code 0 means the failure was on this side, not the plugin's);
`net` commands print the error text, as cnitool does.";

const NET_HELP: &str = "\
Environment (as upstream's cnitool reads it):
  NETCONFPATH  directory of .conflist/.conf/.json files (default /etc/cni/net.d)
  CNI_PATH     plugin search path (default /opt/cni/bin:/usr/lib/cni)
  CNI_IFNAME   interface name (default eth0)
  CNI_ARGS     K=V;K=V pairs passed to every plugin
  CAP_ARGS     capability arguments, a JSON object (e.g. {\"portMappings\":[…]})
The container id is cnitool's (\"cnitool-\" + 20 hex digits of the SHA-512 of the
absolute netns path) unless --containerid is given; the cache is /var/lib/cni
unless --cache-dir. Ctrl-C stops the chain and kills the running plugin. A
failed ADD (cut short by Ctrl-C or --timeout too) is undone with the list's
DEL unless --no-cleanup. Errors are printed as cnitool prints them; the exit
status tells their category (see `cniinvoke --help`).";

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
    #[command(flatten)]
    Plugin(invoke::PluginCmd),
    /// Network configuration lists, as upstream's cnitool: add, check, del,
    /// gc, status NAME NETNS; ls, validate, attachments.
    #[command(subcommand, after_help = NET_HELP)]
    Net(net::NetCmd),
    #[command(flatten)]
    Docs(docs::DocsCmd),
}

fn exit_code(e: &Error) -> i32 {
    if e.status() == Status::Cancelled && context::interrupted() {
        return 130;
    }
    match e.status() {
        Status::Ok => 0,
        Status::Panic => 70,
        s => 10 + s as i32,
    }
}

fn main() {
    match Cli::parse().cmd {
        Cmd::Plugin(cmd) => match invoke::run(cmd) {
            Ok(Some(out)) => println!("{out}"),
            Ok(None) => {}
            Err(e) => {
                eprintln!("{}", e.to_cni_error().to_json());
                std::process::exit(exit_code(&e));
            }
        },
        Cmd::Docs(cmd) => docs::run(cmd, Cli::command()),
        Cmd::Net(cmd) => {
            if let Err(e) = net::run(cmd) {
                eprintln!("{e}");
                std::process::exit(exit_code(&e));
            }
        }
    }
}
