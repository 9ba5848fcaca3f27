//! Lists parsed lately, by their bytes: a runtime that hands over a list
//! as text on every call (the C ABI, and the bindings built on it) has
//! it parsed once, not on every ADD and DEL.
//!
//! A few small lists are kept, the most recently used first; a list's
//! bytes are compared whole, so a hit is the list those bytes parse to.
//! Failures are not kept.

use super::conf::{conf_list_from_bytes, NetworkConfigList};
use crate::Result;
use std::sync::{Arc, Mutex};

/// How many lists are kept.
const KEPT: usize = 8;
/// Lists longer than this are parsed every time (and keep no memory).
const MAX_BYTES: usize = 64 * 1024;

static RECENT: Mutex<Vec<Arc<NetworkConfigList>>> = Mutex::new(Vec::new());

/// [`conf_list_from_bytes`] of `bytes`, shared with the other callers that
/// parsed the same bytes lately.
pub(crate) fn conf_list_shared(bytes: &[u8]) -> Result<Arc<NetworkConfigList>> {
    if bytes.len() > MAX_BYTES {
        return conf_list_from_bytes(bytes).map(Arc::new);
    }
    let recent = || RECENT.lock().unwrap_or_else(|e| e.into_inner());
    {
        let mut kept = recent();
        if let Some(i) = kept.iter().position(|l| l.bytes == bytes) {
            let list = kept.remove(i);
            kept.insert(0, Arc::clone(&list));
            return Ok(list);
        }
    }
    let list = Arc::new(conf_list_from_bytes(bytes)?);
    let mut kept = recent();
    kept.insert(0, Arc::clone(&list));
    kept.truncate(KEPT);
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests share the one cache: one at a time.
    static SERIAL: Mutex<()> = Mutex::new(());

    fn serial() -> std::sync::MutexGuard<'static, ()> {
        SERIAL.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn list(n: usize) -> String {
        format!(r#"{{"cniVersion":"1.0.0","name":"n{n}","plugins":[{{"type":"t"}}]}}"#)
    }

    #[test]
    fn the_same_bytes_give_the_same_list_and_others_their_own() {
        let _serial = serial();
        let a = conf_list_shared(list(1).as_bytes()).unwrap();
        let b = conf_list_shared(list(1).as_bytes()).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(*a, conf_list_from_bytes(list(1).as_bytes()).unwrap());
        let c = conf_list_shared(list(2).as_bytes()).unwrap();
        assert_eq!(c.name, "n2");
        // Pushed out by enough others, a list is parsed afresh, equal.
        for n in 100..100 + 2 * KEPT {
            conf_list_shared(list(n).as_bytes()).unwrap();
        }
        let d = conf_list_shared(list(2).as_bytes()).unwrap();
        assert!(!Arc::ptr_eq(&c, &d));
        assert_eq!(c, d);
        assert!(RECENT.lock().unwrap().len() <= KEPT);
    }

    /// Up to `MAX_BYTES` a list is kept, beyond it not.
    #[test]
    fn lists_up_to_the_size_bound_are_kept() {
        let _serial = serial();
        let sized = |len: usize| {
            let head = r#"{"cniVersion":"1.0.0","name":"sized","plugins":[{"type":"t"}]}"#;
            format!("{head}{}", " ".repeat(len - head.len()))
        };
        let text = sized(MAX_BYTES);
        assert_eq!(text.len(), MAX_BYTES);
        let a = conf_list_shared(text.as_bytes()).unwrap();
        assert!(Arc::ptr_eq(&a, &conf_list_shared(text.as_bytes()).unwrap()));
        let text = sized(MAX_BYTES + 1);
        let a = conf_list_shared(text.as_bytes()).unwrap();
        assert!(!Arc::ptr_eq(
            &a,
            &conf_list_shared(text.as_bytes()).unwrap()
        ));
        assert_eq!(MAX_BYTES, 65536);
    }

    #[test]
    fn failures_and_large_lists_are_not_kept() {
        let _serial = serial();
        let bad = br#"{"cniVersion":"1.0.0","name":"bad","plugins":[]}"#;
        let e1 = conf_list_shared(bad).unwrap_err().to_string();
        assert_eq!(e1, conf_list_from_bytes(bad).unwrap_err().to_string());
        let pad = " ".repeat(MAX_BYTES);
        let big =
            format!(r#"{{"cniVersion":"1.0.0","name":"big","plugins":[{{"type":"t"}}]}}{pad}"#);
        let a = conf_list_shared(big.as_bytes()).unwrap();
        let b = conf_list_shared(big.as_bytes()).unwrap();
        assert!(!Arc::ptr_eq(&a, &b));
        assert!(RECENT
            .lock()
            .unwrap()
            .iter()
            .all(|l| l.name != "big" && l.name != "bad"));
    }
}
