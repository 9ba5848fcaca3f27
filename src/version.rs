//! Spec versions: what this library implements, what a plugin reports
//! for `VERSION`, and comparing version strings (upstream `pkg/version`).

use crate::types::decode_version;
use crate::{Error, Result};

/// The newest spec version this library implements.
pub fn current() -> &'static str {
    "1.1.0"
}

/// The versions a legacy (0.1.0-compatible) plugin supports.
pub const LEGACY: [&str; 2] = ["0.1.0", "0.2.0"];

/// Every version this library supports.
pub const ALL: [&str; 7] = crate::types::ALL_VERSIONS;

/// A plugin's answer to `VERSION` (upstream `version.PluginInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginInfo {
    cni_version: String,
    supported_versions: Vec<String>,
}

impl PluginInfo {
    /// Report `versions` as supported, with `cniVersion` = [`current`]
    /// (upstream `PluginSupports`). Panics, as upstream, if empty.
    pub fn supports(versions: &[&str]) -> PluginInfo {
        assert!(
            !versions.is_empty(),
            "programmer error: you must support at least one version"
        );
        PluginInfo {
            cni_version: current().to_string(),
            supported_versions: versions.iter().map(|v| v.to_string()).collect(),
        }
    }

    /// Info for a legacy plugin (0.1.0 and 0.2.0).
    pub fn legacy() -> PluginInfo {
        PluginInfo::supports(&LEGACY)
    }

    /// Info for a plugin supporting every version.
    pub fn all() -> PluginInfo {
        PluginInfo::supports(&ALL)
    }

    /// The `cniVersion` the report was written in.
    pub fn cni_version(&self) -> &str {
        &self.cni_version
    }

    /// The versions the plugin supports.
    pub fn supported_versions(&self) -> &[String] {
        &self.supported_versions
    }

    /// Decode a plugin's `VERSION` output (upstream `PluginDecoder.Decode`).
    /// A 0.2.0 report without `supportedVersions` means 0.1.0 and 0.2.0.
    pub fn decode(json: &[u8]) -> Result<PluginInfo> {
        let (cni_version, supported) =
            crate::types::decode_plugin_info(json).map_err(|e| decode_err(&e))?;
        if cni_version.is_empty() {
            return Err(decode_err("missing field cniVersion"));
        }
        if supported.is_empty() {
            if cni_version == "0.2.0" {
                return Ok(PluginInfo::supports(&LEGACY));
            }
            return Err(decode_err("missing field supportedVersions"));
        }
        Ok(PluginInfo {
            cni_version,
            supported_versions: supported,
        })
    }

    /// Compact JSON as upstream's `Encode` writes it, without the
    /// trailing newline.
    pub fn to_json(&self) -> String {
        crate::types::encode_plugin_info(&self.cni_version, &self.supported_versions)
    }
}

fn decode_err(e: &str) -> Error {
    Error::Decode(format!("decoding version info: {e}"))
}

/// Read the `cniVersion` of a network configuration (upstream
/// `ConfigDecoder.Decode`); missing means "0.1.0".
pub fn decode_config_version(json: &[u8]) -> Result<String> {
    decode_version(json)
}

/// Split "major.minor.micro" into numbers (upstream `ParseVersion`; ""
/// is 0.1.0, missing parts are 0). Errors carry upstream's text.
pub fn parse_version(version: &str) -> Result<(i64, i64, i64)> {
    if version.is_empty() {
        return Ok((0, 1, 0));
    }
    if version.split('.').count() >= 4 {
        return Err(Error::InvalidArgument(format!(
            "invalid version {}: too many parts",
            crate::types::go_quote(version)
        )));
    }
    let mut out = [0i64; 3];
    let parts = version.split('.');
    for (i, (part, name)) in parts.zip(["major", "minor", "micro"]).enumerate() {
        out[i] = atoi(part).map_err(|e| {
            Error::InvalidArgument(format!(
                "failed to convert {name} version part {}: {e}",
                crate::types::go_quote(part)
            ))
        })?;
    }
    Ok((out[0], out[1], out[2]))
}

/// Go's `strconv.Atoi` with its error text.
fn atoi(s: &str) -> std::result::Result<i64, String> {
    let failed = |why: &str| format!("strconv.Atoi: parsing {}: {why}", crate::types::go_quote(s));
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(failed("invalid syntax"));
    }
    s.strip_prefix('+')
        .unwrap_or(s)
        .parse()
        .map_err(|_| failed("value out of range"))
}

/// Whether `version` >= `other` (upstream `GreaterThanOrEqualTo`).
pub fn greater_than_or_equal_to(version: &str, other: &str) -> Result<bool> {
    Ok(parse_version(version)? >= parse_version(other)?)
}

/// Whether `version` > `other` (upstream `GreaterThan`).
pub fn greater_than(version: &str, other: &str) -> Result<bool> {
    Ok(parse_version(version)? > parse_version(other)?)
}
