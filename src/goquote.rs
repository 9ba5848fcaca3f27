//! Go's text forms that appear inside upstream's error messages: `%q`
//! quoting (`strconv.Quote`), process states (`exit status 1`,
//! `signal: killed`) and errno texts (`no such file or directory`).

use std::fmt::Write;

/// Go's `strconv.Quote` of a byte string: double-quoted, with Go's escapes;
/// invalid UTF-8 bytes come out as `\xNN`.
pub fn quote(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            push_rune(&mut out, c);
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out.push('"');
    out
}

/// One rune as `strconv.Quote` writes it inside double quotes.
pub(crate) fn push_rune(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c == '\x7f' => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if is_print(c) => out.push(c),
        c if (c as u32) <= 0xffff => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\U{:08x}", c as u32);
        }
    }
}

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols
/// and the ASCII space, per the table generated from Go itself (Unicode
/// 15.0.0, the version of every Go release since 1.21).
fn is_print(c: char) -> bool {
    let u = c as u32;
    let table = &crate::goprint::PRINTABLE;
    let i = table.partition_point(|&(_, last)| last < u);
    table.get(i).is_some_and(|&(first, _)| first <= u)
}

/// How Go's `os.ProcessState.String()` prints a wait status.
pub fn wait_status(status: libc::c_int) -> String {
    if libc::WIFEXITED(status) {
        format!("exit status {}", libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        let mut s = format!("signal: {}", signal_name(libc::WTERMSIG(status)));
        if libc::WCOREDUMP(status) {
            s.push_str(" (core dumped)");
        }
        s
    } else if libc::WIFSTOPPED(status) {
        format!("stop signal: {}", signal_name(libc::WSTOPSIG(status)))
    } else {
        format!("exit status {status}")
    }
}

/// Go's name for a Linux signal (`syscall.Signal.String()`).
pub fn signal_name(sig: libc::c_int) -> String {
    let name = match sig {
        libc::SIGHUP => "hangup",
        libc::SIGINT => "interrupt",
        libc::SIGQUIT => "quit",
        libc::SIGILL => "illegal instruction",
        libc::SIGTRAP => "trace/breakpoint trap",
        libc::SIGABRT => "aborted",
        libc::SIGBUS => "bus error",
        libc::SIGFPE => "floating point exception",
        libc::SIGKILL => "killed",
        libc::SIGUSR1 => "user defined signal 1",
        libc::SIGSEGV => "segmentation fault",
        libc::SIGUSR2 => "user defined signal 2",
        libc::SIGPIPE => "broken pipe",
        libc::SIGALRM => "alarm clock",
        libc::SIGTERM => "terminated",
        libc::SIGSTKFLT => "stack fault",
        libc::SIGCHLD => "child exited",
        libc::SIGCONT => "continued",
        libc::SIGSTOP => "stopped (signal)",
        libc::SIGTSTP => "stopped",
        libc::SIGTTIN => "stopped (tty input)",
        libc::SIGTTOU => "stopped (tty output)",
        libc::SIGURG => "urgent I/O condition",
        libc::SIGXCPU => "CPU time limit exceeded",
        libc::SIGXFSZ => "file size limit exceeded",
        libc::SIGVTALRM => "virtual timer expired",
        libc::SIGPROF => "profiling timer expired",
        libc::SIGWINCH => "window changed",
        libc::SIGIO => "I/O possible",
        libc::SIGPWR => "power failure",
        libc::SIGSYS => "bad system call",
        other => return format!("signal {other}"),
    };
    name.to_string()
}

/// Go's text for an errno (`syscall.Errno.Error()`): glibc's wording with a
/// lower-case first letter, which is what Go's table holds for the errors a
/// spawn can meet.
pub fn errno_text(errno: i32) -> String {
    let s = std::io::Error::from_raw_os_error(errno).to_string();
    // Rust appends " (os error N)"; Go does not.
    let s = match s.rfind(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    };
    let mut chars = s.chars();
    match chars.next() {
        Some(f) => f.to_lowercase().collect::<String>() + chars.as_str(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_go() {
        assert_eq!(quote(b"plain"), "\"plain\"");
        assert_eq!(quote(b"a\"b\\c\n\t"), r#""a\"b\\c\n\t""#);
        assert_eq!(quote(b"\x00\x1b\x7f"), r#""\x00\x1b\x7f""#);
        assert_eq!(quote(b"\xff ok"), r#""\xff ok""#);
        assert_eq!(quote("héllo ✓".as_bytes()), "\"héllo ✓\"");
        assert_eq!(quote("\u{feff}".as_bytes()), r#""\ufeff""#);
        assert_eq!(quote("\u{e0001}".as_bytes()), r#""\U000e0001""#);
        // The last rune written \u, the first written \U (not printable).
        assert_eq!(
            quote("\u{ffff}\u{e0000}".as_bytes()),
            r#""\uffff\U000e0000""#
        );
        // Unassigned: not printable.
        assert_eq!(
            quote("\u{378}\u{1fffd}".as_bytes()),
            r#""\u0378\U0001fffd""#
        );
    }

    #[test]
    fn errno_texts_are_go_style() {
        assert_eq!(errno_text(libc::ENOENT), "no such file or directory");
        assert_eq!(errno_text(libc::EACCES), "permission denied");
        assert_eq!(errno_text(libc::ETXTBSY), "text file busy");
        assert_eq!(errno_text(libc::ENOEXEC), "exec format error");
    }

    #[test]
    fn statuses_are_go_style() {
        assert_eq!(wait_status(1 << 8), "exit status 1");
        assert_eq!(wait_status(libc::SIGKILL), "signal: killed");
        assert_eq!(
            wait_status(libc::SIGSEGV | 0x80),
            "signal: segmentation fault (core dumped)"
        );
    }
}
