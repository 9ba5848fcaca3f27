//! The command line's own documentation, generated from its definition:
//! shell completions (clap_complete) and the man page (clap_mangen).
//! `make install` writes them where shells and `man` look.

use clap::Subcommand;
use clap_complete::Shell;

#[derive(Subcommand)]
pub enum DocsCmd {
    /// Print a completion script for SHELL (bash, zsh, fish, elvish, powershell).
    #[command(after_help = "Example:\n  source <(cniinvoke completions bash)\n  \
                            cniinvoke completions zsh > ~/.zfunc/_cniinvoke")]
    Completions {
        /// The shell to complete for.
        shell: Shell,
    },
    /// Print the man page (roff), e.g. for `man -l -`; with --out-dir, write
    /// a page for every command and subcommand there instead.
    #[command(after_help = "Example:\n  cniinvoke man | man -l -\n  \
                            cniinvoke man --out-dir /usr/local/share/man/man1")]
    Man {
        /// Write cniinvoke.1, cniinvoke-net.1, cniinvoke-net-add.1 … here.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<std::path::PathBuf>,
    },
}

/// Write the requested document for `cmd` (the whole command line) to stdout.
pub fn run(which: DocsCmd, mut cmd: clap::Command) {
    let mut out = std::io::stdout().lock();
    match which {
        DocsCmd::Completions { shell } => {
            clap_complete::generate(shell, &mut cmd, "cniinvoke", &mut out);
        }
        DocsCmd::Man { out_dir } => {
            let written = match out_dir {
                Some(dir) => clap_mangen::generate_to(cmd, &dir),
                None => clap_mangen::Man::new(cmd).render(&mut out),
            };
            if let Err(e) = written {
                eprintln!("writing the man page: {e}");
                std::process::exit(1);
            }
        }
    }
}
