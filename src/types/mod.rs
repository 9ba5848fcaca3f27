//! CNI results of every spec version, parsed, converted and printed the way
//! upstream Go `pkg/types` (v1.3.0) does it, byte for byte.

pub(crate) mod common;
mod convert;
pub(crate) mod decode;
pub(crate) mod direct100;
mod error;
pub(crate) mod gojson;
mod net;
pub(crate) mod scan;
mod v020;
mod v040;
mod v100;

pub use common::{Dns, Route};
pub use error::*;
pub use net::{GoIp, IpNet};
pub use v020::{IpConfig020, Result020};
pub use v040::{Interface040, IpConfig040, Result040};
pub use v100::{Interface100, IpConfig100, Result100};

use crate::{Error, Result};
use decode::Decoder;
use gojson::Value;

/// Every result version this library knows, oldest first.
pub const ALL_VERSIONS: [&str; 7] = [
    "0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0",
];

/// Which upstream result type handles a version.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    V020,
    V040,
    V100,
}

impl Family {
    /// Upstream's creator registry: the versions each result type accepts
    /// (the 0.2.0 type also takes the empty version).
    fn of(version: &str) -> Option<Family> {
        match version {
            "" | "0.1.0" | "0.2.0" => Some(Family::V020),
            "0.3.0" | "0.3.1" | "0.4.0" => Some(Family::V040),
            "1.0.0" | "1.1.0" => Some(Family::V100),
            _ => None,
        }
    }

    /// Upstream's `supportedVersions`, formatted with Go's `%v`.
    fn supported(self) -> &'static str {
        match self {
            Family::V020 => "[ 0.1.0 0.2.0]",
            Family::V040 => "[0.3.0 0.3.1 0.4.0]",
            Family::V100 => "[1.0.0 1.1.0]",
        }
    }
}

/// A parsed CNI result of any version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CniResult {
    /// A 0.1.0 or 0.2.0 result.
    V020(Result020),
    /// A 0.3.0, 0.3.1 or 0.4.0 result.
    V040(Result040),
    /// A 1.0.0 or 1.1.0 result.
    V100(Result100),
}

impl CniResult {
    /// Parse `json` as a result of `version` (upstream `create.Create`).
    ///
    /// As upstream, `version` only selects the result type: the JSON's own
    /// `cniVersion` must be one that type supports and becomes the
    /// result's version (a 0.1.0/0.2.0 result without one is 0.1.0).
    pub fn create(version: &str, json: &[u8]) -> Result<CniResult> {
        let family = Family::of(version).ok_or_else(|| {
            Error::UnsupportedVersion(format!(
                "unsupported CNI result version {}",
                gojson::go_quote(version)
            ))
        })?;
        let v = gojson::parse(json).map_err(Error::Decode)?;
        Self::create_parsed_in(family, &v)
    }

    /// A plugin's `stdout` as [`crate::exec_plugin_with_result`] decodes
    /// it, when it is a 1.x result in the form plugins write (see
    /// `direct100.rs`), with `conf_version` for a missing or empty
    /// `cniVersion`; `None` for any other document.
    pub(crate) fn from_plugin_direct(stdout: &[u8], conf_version: &str) -> Option<CniResult> {
        direct100::decode(stdout, conf_version)
    }

    /// [`CniResult::create`] of a document already parsed.
    pub(crate) fn create_parsed(version: &str, v: &gojson::Value) -> Result<CniResult> {
        let family = Family::of(version).ok_or_else(|| {
            Error::UnsupportedVersion(format!(
                "unsupported CNI result version {}",
                gojson::go_quote(version)
            ))
        })?;
        Self::create_parsed_in(family, v)
    }

    fn create_parsed_in(family: Family, v: &gojson::Value) -> Result<CniResult> {
        let decoded = match family {
            Family::V020 => Decoder::run(v, Result020::decode).map(CniResult::V020),
            Family::V040 => Decoder::run(v, Result040::decode).map(CniResult::V040),
            Family::V100 => Decoder::run(v, Result100::decode).map(CniResult::V100),
        };
        let mut r = decoded.map_err(|e| Error::Decode(e.to_string()))?;
        let declared = r.cni_version().to_string();
        if Family::of(&declared) != Some(family) {
            return Err(Error::Decode(format!(
                "result type supports {} but unmarshalled CNIVersion is {}",
                family.supported(),
                gojson::go_quote(&declared)
            )));
        }
        if let CniResult::V020(r) = &mut r {
            if r.cni_version.is_empty() {
                r.cni_version = "0.1.0".into();
            }
        }
        Ok(r)
    }

    /// Parse a result whose version is its own `cniVersion` (upstream
    /// `create.CreateFromBytes`; no version means 0.1.0).
    pub fn from_json(json: &[u8]) -> Result<CniResult> {
        let version = decode_version(json)?;
        CniResult::create(&version, json)
    }

    /// The result's `cniVersion`.
    pub fn cni_version(&self) -> &str {
        match self {
            CniResult::V020(r) => &r.cni_version,
            CniResult::V040(r) => &r.cni_version,
            CniResult::V100(r) => &r.cni_version,
        }
    }

    /// Convert to another version (upstream `GetAsVersion`; "" means
    /// 0.1.0). Conversions that lose information do so silently, as
    /// upstream; a 0.1.0/0.2.0 target needs at least one IPv4 or IPv6
    /// address. Failures are `Error::UnsupportedVersion` for an unknown
    /// target and `Error::InvalidArgument` otherwise, with upstream's text.
    pub fn convert_to(&self, to: &str) -> Result<CniResult> {
        let mut from = std::borrow::Cow::Borrowed(self);
        if self.cni_version().is_empty() {
            // Upstream assumes the newest version its type implements.
            let mut r = self.clone();
            match &mut r {
                CniResult::V020(x) => x.cni_version = "0.2.0".into(),
                CniResult::V040(x) => x.cni_version = "0.4.0".into(),
                CniResult::V100(x) => x.cni_version = "1.1.0".into(),
            }
            from = std::borrow::Cow::Owned(r);
        }
        convert::convert(&from, to).map_err(|e| {
            let target = if to.is_empty() { "0.1.0" } else { to };
            if ALL_VERSIONS.contains(&target) {
                Error::InvalidArgument(e)
            } else {
                Error::UnsupportedVersion(e)
            }
        })
    }

    /// Compact JSON, byte-identical to Go's `json.Marshal` of the upstream
    /// result.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(512);
        match self {
            CniResult::V020(r) => r.write(&mut out),
            CniResult::V040(r) => r.write(&mut out),
            CniResult::V100(r) => r.write(&mut out),
        }
        out
    }

    /// Indented JSON as upstream prints a result (`json.MarshalIndent`
    /// with four spaces, no trailing newline).
    pub fn to_json_pretty(&self) -> String {
        gojson::indent(&self.to_json(), "    ")
    }
}

/// Read `cniVersion` from a configuration or result (upstream
/// `create.DecodeVersion`); missing or empty means "0.1.0".
pub fn decode_version(json: &[u8]) -> Result<String> {
    if let Some(version) = gojson::top_level_string(json, "cniVersion") {
        return Ok(version_or_010(version));
    }
    let wrap = |e: String| Error::Decode(format!("decoding version from network config: {e}"));
    let v = gojson::parse(json).map_err(wrap)?;
    decode_version_parsed(&v)
}

/// A version as upstream reads it: "" is 0.1.0.
pub(crate) fn version_or_010(version: String) -> String {
    if version.is_empty() {
        "0.1.0".into()
    } else {
        version
    }
}

/// [`decode_version`] of a document already parsed.
pub(crate) fn decode_version_parsed(v: &Value) -> Result<String> {
    let wrap = |e: String| Error::Decode(format!("decoding version from network config: {e}"));
    let version = Decoder::run(v, |d, v: &Value, out: &mut String| {
        d.object(
            v,
            "",
            "struct { CNIVersion string \"json:\\\"cniVersion\\\"\" }",
            &["cniVersion"],
            |d, _, v| {
                d.string(v, out);
                Ok(())
            },
        )
    })
    .map_err(|e| wrap(e.to_string()))?;
    Ok(version_or_010(version))
}

pub(crate) use decode::{DecodeError, Decoder as GoDecoder, Hard as GoHard};
#[doc(hidden)]
pub use gojson::go_quote;
pub(crate) use gojson::{parse as parse_go_json, write_str as write_go_str, Value as GoJsonValue};

/// Decode upstream's `pluginInfo` struct: (cniVersion, supportedVersions),
/// or Go's error text.
pub(crate) fn decode_plugin_info(
    json: &[u8],
) -> std::result::Result<(String, Vec<String>), String> {
    let v = gojson::parse(json)?;
    Decoder::run(&v, |d, v: &Value, out: &mut (String, Vec<String>)| {
        d.object(
            v,
            "pluginInfo",
            "version.pluginInfo",
            &["cniVersion", "supportedVersions"],
            |d, f, v| {
                if f == "cniVersion" {
                    d.string(v, &mut out.0);
                } else {
                    d.strings(v, "[]string", &mut out.1);
                }
                Ok(())
            },
        )
    })
    .map_err(|e| e.to_string())
}

/// Encode upstream's `pluginInfo` struct compactly.
pub(crate) fn encode_plugin_info(cni_version: &str, supported: &[String]) -> String {
    let mut out = String::new();
    let mut o = common::ObjWriter::new(&mut out);
    o.str("cniVersion", cni_version);
    o.strings_nonempty("supportedVersions", supported);
    o.end();
    out
}
