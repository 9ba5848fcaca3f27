//! The result of a cache entry in the form this library writes it
//! (`record.rs`'s `NewRecord::encode`), read straight from the entry's
//! bytes: what DEL and CHECK need, without the value tree of the whole
//! entry and the general decoder.
//!
//! The form: one object of `cniCacheV1`'s own keys, each spelled exactly
//! and given once; `kind` is `cniCacheV1`; the strings have no escapes;
//! `config` is base64 that upstream's decoder takes; `cniArgs` is a list of
//! two strings each; no `capabilityArgs`; a `result` in the form plugins
//! write (`types/direct100.rs`) with its own 1.x `cniVersion`. For such an
//! entry Go's `json.Unmarshal` into `cachedInfo` is plain field assignment,
//! so the result is the one `Record::decode` and `Record::result_as` give
//! (`record_direct_tests.rs` holds them to that). Anything else is `None`:
//! the caller takes the general path, which also reads legacy entries and
//! words every error.

use super::base64::base64_decode;
use super::record::{CNI_CACHE_V1, FIELDS};
use crate::types::direct100::versioned_result;
use crate::types::scan::Scan;
use crate::types::CniResult;

/// The cached result of `entry`, as it was written, when the entry is in
/// the form above.
pub(crate) fn cached_result(entry: &[u8]) -> Option<CniResult> {
    let mut s = Scan::new(entry);
    let (mut kind, mut result) = (false, None);
    // By index into FIELDS (checked by a test): kind, containerId, config,
    // ifName, networkName, netns, cniArgs, capabilityArgs, result.
    s.object(&FIELDS, |s, field| {
        match field {
            0 => kind = s.str()? == CNI_CACHE_V1,
            2 => drop(base64_decode(s.plain()?).ok()?),
            6 => drop(s.list(pair)?),
            7 => return None,
            8 => result = Some(versioned_result(s)?),
            _ => drop(s.str()?),
        }
        Some(())
    })?;
    // Without a `kind` of cniCacheV1 upstream reads the entry as a legacy
    // one.
    (s.at_end() && kind).then_some(result).flatten()
}

/// One `["KEY","VALUE"]` of `cniArgs`.
fn pair(s: &mut Scan) -> Option<()> {
    (s.next(b'[') && s.str().is_some() && s.next(b',') && s.str().is_some() && s.next(b']'))
        .then_some(())
}

#[cfg(test)]
#[path = "record_direct_tests.rs"]
mod tests;
