//! The overlay of this process's environment, remembered per thread.
//!
//! Which inherited entries a plugin's environment keeps, and where each
//! variable set goes, depend only on the entries' names and the names set
//! (upstream's `dedupEnv`, [`crate::env::PluginEnv::Overlay`]). Finding the
//! names and deduplicating them is most of the work of building the
//! environment, and a host's environment rarely changes between spawns:
//! the answer is kept, and used again while `environ` holds the same
//! entries with the same names ([`EnvironRecord::still_holds`]), which
//! costs a comparison per entry. Values are never remembered: the block
//! borrows the entries themselves, as without the memo.

use crate::env::{overlay, Pick};
use crate::spawn::{with_environ, EnvironRecord};
use std::borrow::Cow;
use std::cell::Cell;

/// One overlay worked out: the environment it was worked out on, the
/// names set, and its picks.
struct Memo {
    environ: EnvironRecord,
    set: Vec<&'static str>,
    picks: Vec<Pick>,
}

impl Memo {
    fn new(set: &[(&'static str, Cow<'_, str>)]) -> Memo {
        #[cfg(test)]
        MADE.with(|made| made.set(made.get() + 1));
        with_environ(|env| Memo {
            environ: EnvironRecord::of(env),
            set: set.iter().map(|(k, _)| *k).collect(),
            picks: overlay(env.iter().map(|e| e.name()), set),
        })
    }

    fn holds_for(&self, set: &[(&'static str, Cow<'_, str>)]) -> bool {
        let same_names =
            self.set.len() == set.len() && self.set.iter().zip(set).all(|(a, (b, _))| a == b);
        same_names && self.environ.still_holds()
    }
}

thread_local! {
    static MEMO: Cell<Option<Memo>> = const { Cell::new(None) };
}

#[cfg(test)]
thread_local! {
    /// How many overlays this thread worked out.
    static MADE: Cell<usize> = const { Cell::new(0) };
}

/// `f` given the picks of the overlay of `set` on this process's
/// environment (see [`crate::env`]) and the inherited entries they index,
/// which `f` may use under [`with_environ`]'s contract.
pub(crate) fn with_picks<R>(
    set: &[(&'static str, Cow<'_, str>)],
    f: impl FnOnce(&[Pick], &EnvironRecord) -> R,
) -> R {
    // Taken out while in use: a call made meanwhile (none is) or on an
    // exiting thread finds none, and works its own out.
    let kept = MEMO.try_with(Cell::take).ok().flatten();
    let memo = kept
        .filter(|m| m.holds_for(set))
        .unwrap_or_else(|| Memo::new(set));
    let r = f(&memo.picks, &memo.environ);
    let _ = MEMO.try_with(|m| m.set(Some(memo)));
    r
}

#[cfg(test)]
mod tests {
    use super::{with_picks, MADE};
    use std::borrow::Cow;

    fn set(names: &[&'static str]) -> Vec<(&'static str, Cow<'static, str>)> {
        names.iter().map(|k| (*k, Cow::Borrowed(""))).collect()
    }

    /// Picks worked out so far on this thread, after a call with `names`.
    fn made_after(names: &[&'static str]) -> usize {
        with_picks(&set(names), |picks, _| assert!(picks.len() >= names.len()));
        MADE.with(|made| made.get())
    }

    /// The overlay is worked out once for spawns after spawns with the
    /// same names set, and again whenever the names change (in number, in
    /// order, or one of them). (Whether the environment itself still holds
    /// is `EnvironRecord::still_holds`, tested with it.)
    #[test]
    fn the_overlay_is_worked_out_again_only_when_the_names_change() {
        let first = made_after(&["CNI_COMMAND", "PATH"]);
        assert_eq!(made_after(&["CNI_COMMAND", "PATH"]), first, "remembered");
        assert_eq!(made_after(&["CNI_COMMAND", "PATH"]), first, "remembered");
        assert_eq!(made_after(&["PATH", "CNI_COMMAND"]), first + 1, "reordered");
        assert_eq!(made_after(&["PATH", "HOME"]), first + 2, "one other name");
        assert_eq!(made_after(&["PATH"]), first + 3, "fewer names");
        assert_eq!(made_after(&["PATH"]), first + 3, "remembered");
        assert_eq!(made_after(&["PATH", "HOME"]), first + 4, "more names");
    }
}
