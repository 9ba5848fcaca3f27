//! The CNI error object a plugin prints on failure (upstream `types.Error`)
//! and the well-known error codes.

use super::common::ObjWriter;
use super::decode::Decoder;
use super::gojson::{self, Value};

/// Unknown or unspecified error.
pub const ERR_UNKNOWN: u32 = 0;
/// Incompatible CNI version.
pub const ERR_INCOMPATIBLE_CNI_VERSION: u32 = 1;
/// Unsupported field in the network configuration.
pub const ERR_UNSUPPORTED_FIELD: u32 = 2;
/// Container unknown or does not exist.
pub const ERR_UNKNOWN_CONTAINER: u32 = 3;
/// Invalid necessary environment variables.
pub const ERR_INVALID_ENVIRONMENT_VARIABLES: u32 = 4;
/// I/O failure.
pub const ERR_IO_FAILURE: u32 = 5;
/// Failed to decode content.
pub const ERR_DECODING_FAILURE: u32 = 6;
/// Invalid network configuration.
pub const ERR_INVALID_NETWORK_CONFIG: u32 = 7;
/// Invalid network namespace.
pub const ERR_INVALID_NET_NS: u32 = 8;
/// Try again later: a transient condition.
pub const ERR_TRY_AGAIN_LATER: u32 = 11;
/// STATUS: the plugin cannot service ADD requests (spec only; upstream Go
/// has no constant for it).
pub const ERR_PLUGIN_NOT_AVAILABLE: u32 = 50;
/// STATUS: the plugin is unavailable and existing containers may have
/// limited connectivity (spec only; upstream Go has no constant for it).
pub const ERR_PLUGIN_NOT_AVAILABLE_LIMITED_CONNECTIVITY: u32 = 51;
/// Internal error.
pub const ERR_INTERNAL: u32 = 999;

/// The error a CNI plugin reports (upstream `types.Error`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CniError {
    /// Error code; see the `ERR_*` constants.
    pub code: u32,
    /// Short message.
    pub msg: String,
    /// Longer explanation, may be empty.
    pub details: String,
    /// How the plugin process ended, as Go prints it (`exit status 1`,
    /// `signal: killed`), when this error comes from a plugin that ran and
    /// failed (its own error from stdout or the one made from its stderr);
    /// `None` otherwise. Not part of the message, nor of the JSON: upstream's
    /// `types.Error` has no such field.
    pub exit_status: Option<String>,
}

impl CniError {
    /// Build an error from its three parts.
    pub fn new(code: u32, msg: impl Into<String>, details: impl Into<String>) -> Self {
        CniError {
            code,
            msg: msg.into(),
            details: details.into(),
            exit_status: None,
        }
    }

    /// The same error, recording how the plugin process ended.
    pub fn with_exit_status(mut self, status: impl Into<String>) -> Self {
        self.exit_status = Some(status.into());
        self
    }

    /// The name of a well-known code (e.g. "ErrIOFailure" style names
    /// without the prefix: "IOFailure"), `None` for other codes.
    pub fn code_name(&self) -> Option<&'static str> {
        code_name(self.code)
    }

    /// Compact JSON as Go marshals it: `{"code":N,"msg":"..."}` plus
    /// `"details"` when non-empty.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        let mut o = ObjWriter::new(&mut out);
        o.int("code", i64::from(self.code), false);
        o.str("msg", &self.msg);
        o.str_nonempty("details", &self.details);
        o.end();
        out
    }

    /// Parse a plugin's error output leniently, as Go's `json.Unmarshal`
    /// into `types.Error` does: missing fields stay empty, unknown ones are
    /// ignored, keys match case-insensitively. The error is Go's text.
    pub fn from_json(json: &[u8]) -> crate::Result<CniError> {
        let v = gojson::parse(json).map_err(crate::Error::Decode)?;
        Decoder::run(&v, |d, v: &Value, e: &mut CniError| {
            d.object(
                v,
                "Error",
                "types.Error",
                &["code", "msg", "details"],
                |d, f, v| {
                    match f {
                        "code" => decode_uint(d, v, &mut e.code),
                        "msg" => d.string(v, &mut e.msg),
                        _ => d.string(v, &mut e.details),
                    }
                    Ok(())
                },
            )
        })
        .map_err(|e| crate::Error::Decode(e.to_string()))
    }
}

/// `code` is a Go `uint`; codes beyond 32 bits saturate (the C ABI
/// carries 32).
fn decode_uint(d: &mut Decoder, v: &Value, out: &mut u32) {
    match v {
        Value::Number(lit) => {
            let n = lit
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| lit.parse::<u64>().ok())
                .flatten();
            match n {
                Some(n) => *out = u32::try_from(n).unwrap_or(u32::MAX),
                None => d.type_error_value(format!("number {lit}"), "uint"),
            }
        }
        Value::Null => {}
        other => d.type_error(other, "uint"),
    }
}

/// The name of a well-known error code, `None` for other codes.
pub fn code_name(code: u32) -> Option<&'static str> {
    Some(match code {
        ERR_UNKNOWN => "Unknown",
        ERR_INCOMPATIBLE_CNI_VERSION => "IncompatibleCNIVersion",
        ERR_UNSUPPORTED_FIELD => "UnsupportedField",
        ERR_UNKNOWN_CONTAINER => "UnknownContainer",
        ERR_INVALID_ENVIRONMENT_VARIABLES => "InvalidEnvironmentVariables",
        ERR_IO_FAILURE => "IOFailure",
        ERR_DECODING_FAILURE => "DecodingFailure",
        ERR_INVALID_NETWORK_CONFIG => "InvalidNetworkConfig",
        ERR_INVALID_NET_NS => "InvalidNetNS",
        ERR_TRY_AGAIN_LATER => "TryAgainLater",
        ERR_PLUGIN_NOT_AVAILABLE => "PluginNotAvailable",
        ERR_PLUGIN_NOT_AVAILABLE_LIMITED_CONNECTIVITY => "PluginNotAvailableLimitedConnectivity",
        ERR_INTERNAL => "Internal",
        _ => return None,
    })
}

impl std::fmt::Display for CniError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.details.is_empty() {
            f.write_str(&self.msg)
        } else {
            write!(f, "{}; {}", self.msg, self.details)
        }
    }
}

impl std::error::Error for CniError {}

impl serde::Serialize for CniError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let n = if self.details.is_empty() { 2 } else { 3 };
        let mut st = s.serialize_struct("Error", n)?;
        st.serialize_field("code", &self.code)?;
        st.serialize_field("msg", &self.msg)?;
        if !self.details.is_empty() {
            st.serialize_field("details", &self.details)?;
        }
        st.end()
    }
}

impl<'de> serde::Deserialize<'de> for CniError {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// Lenient mirror: every field optional, `null` as empty.
        #[derive(serde::Deserialize)]
        struct Lenient {
            #[serde(default)]
            code: Option<u32>,
            #[serde(default)]
            msg: Option<String>,
            #[serde(default)]
            details: Option<String>,
        }
        let l = Lenient::deserialize(d)?;
        Ok(CniError {
            code: l.code.unwrap_or(0),
            msg: l.msg.unwrap_or_default(),
            details: l.details.unwrap_or_default(),
            exit_status: None,
        })
    }
}
