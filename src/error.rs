//! The one error type of the crate.
//!
//! Each variant is one of the [`Status`] categories (the C ABI's
//! `cni_status`), so every binding maps an [`Error`] onto its own error
//! vocabulary without guessing.

use crate::types::CniError;

/// Everything that can go wrong while finding, running or decoding a plugin.
///
/// `Display` prints the message alone, word for word as upstream's Go
/// `pkg/invoke` prints the same failure where it has one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A caller-supplied argument is unusable (bad version string, bad JSON
    /// argument, NUL inside a string that must reach the kernel...).
    #[error("{0}")]
    InvalidArgument(String),
    /// The plugin could not be found on the search path.
    #[error("{0}")]
    NotFound(String),
    /// The plugin ran and reported failure; this is its CNI error (or the
    /// one upstream synthesises from its exit status and stderr).
    #[error("{0}")]
    Plugin(CniError),
    /// The plugin could not be started or talked to.
    #[error("{0}")]
    ExecFailed(String),
    /// A network configuration, result or version report could not be decoded.
    #[error("{0}")]
    Decode(String),
    /// A result version this library does not know.
    #[error("{0}")]
    UnsupportedVersion(String),
    /// The context's deadline passed; the plugin was killed.
    #[error("{0}")]
    Timeout(String),
    /// The context was cancelled; the plugin was killed.
    #[error("{0}")]
    Cancelled(String),
}

// The one definition of the status categories: the C ABI exports this very
// enum as `cni_status` (cbindgen.toml renames it, its variants become
// `CNI_STATUS_*`), so the doc comments below are the header's.

/// The outcome of a fallible call. The values are stable.
///
/// On anything but `CNI_STATUS_OK` the call's `cni_error **err` (when not
/// NULL) receives an error with the details.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Success.
    Ok = 0,
    /// An argument was NULL where a value is required, not valid UTF-8, or
    /// malformed / wrongly-typed JSON; also an invalid plugin name or an
    /// empty search path.
    InvalidArgument = 1,
    /// The plugin was not found on the search path.
    NotFound = 2,
    /// The plugin ran and failed; the error holds its CNI error (code, msg,
    /// details).
    PluginError = 3,
    /// The plugin could not be started or talked to.
    ExecFailed = 4,
    /// A network configuration, result or version report could not be
    /// decoded.
    DecodeError = 5,
    /// A CNI version this library does not support.
    UnsupportedVersion = 6,
    /// The context's deadline passed; the plugin was killed and reaped.
    Timeout = 7,
    /// The context was cancelled; the plugin was killed and reaped.
    Cancelled = 8,
    /// A bug: the library panicked. The error's message says where.
    Panic = 99,
}

impl Error {
    /// The C ABI category of this error.
    pub fn status(&self) -> Status {
        match self {
            Error::InvalidArgument(_) => Status::InvalidArgument,
            Error::NotFound(_) => Status::NotFound,
            Error::Plugin(_) => Status::PluginError,
            Error::ExecFailed(_) => Status::ExecFailed,
            Error::Decode(_) => Status::DecodeError,
            Error::UnsupportedVersion(_) => Status::UnsupportedVersion,
            Error::Timeout(_) => Status::Timeout,
            Error::Cancelled(_) => Status::Cancelled,
        }
    }

    /// Rebuild an error from its category and message (the inverse of
    /// [`Error::status`] + `Display`), as custom executors written in other
    /// languages report them. `Status::Ok` and `Status::Panic` have no
    /// variant of their own and come back as `ExecFailed`.
    pub fn from_status(status: Status, msg: impl Into<String>) -> Error {
        let msg = msg.into();
        match status {
            Status::InvalidArgument => Error::InvalidArgument(msg),
            Status::NotFound => Error::NotFound(msg),
            Status::PluginError => Error::Plugin(CniError::new(0, msg, "")),
            Status::DecodeError => Error::Decode(msg),
            Status::UnsupportedVersion => Error::UnsupportedVersion(msg),
            Status::Timeout => Error::Timeout(msg),
            Status::Cancelled => Error::Cancelled(msg),
            Status::Ok | Status::ExecFailed | Status::Panic => Error::ExecFailed(msg),
        }
    }

    /// The error as a CNI error: the plugin's own for [`Error::Plugin`],
    /// otherwise code 0 with this error's message (library-side failure).
    pub fn to_cni_error(&self) -> CniError {
        match self {
            Error::Plugin(e) => e.clone(),
            other => CniError::new(0, other.to_string(), ""),
        }
    }
}

impl From<CniError> for Error {
    fn from(e: CniError) -> Self {
        Error::Plugin(e)
    }
}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
