//! The one error type of the crate.
//!
//! Each variant is one of the C ABI's `cni_status` categories, so every
//! binding maps an [`Error`] onto its own error vocabulary without guessing.

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
    /// Cache or configuration files could not be read or written.
    #[error("{0}")]
    Io(String),
    /// No configuration was found in a directory (upstream libcni's
    /// `NotFoundError` when `name` is set, `NoConfigsFoundError` otherwise).
    #[error("{}", config_not_found_text(dir, name.as_deref()))]
    ConfigNotFound { dir: String, name: Option<String> },
    /// An operation on a network list failed in one plugin (or one step):
    /// `msg` is the whole text, e.g. `plugin type="bridge" failed (add):
    /// <cause>`, and `cause` the error underneath. Its status is the
    /// cause's.
    #[error("{msg}")]
    Wrapped {
        msg: String,
        #[source]
        cause: Box<Error>,
    },
}

/// Upstream's texts for a configuration missing from a directory.
fn config_not_found_text(dir: &str, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("no net configuration with name \"{n}\" in {dir}"),
        None => format!("no net configurations found in {dir}"),
    }
}

/// The stable numeric categories shared with the C ABI (`cni_status`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Ok = 0,
    InvalidArgument = 1,
    NotFound = 2,
    PluginError = 3,
    ExecFailed = 4,
    DecodeError = 5,
    UnsupportedVersion = 6,
    Timeout = 7,
    Cancelled = 8,
    Io = 9,
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
            Error::Io(_) => Status::Io,
            Error::ConfigNotFound { .. } => Status::NotFound,
            Error::Wrapped { cause, .. } => cause.status(),
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
            Status::Io => Error::Io(msg),
            Status::Ok | Status::ExecFailed | Status::Panic => Error::ExecFailed(msg),
        }
    }

    /// The error as a CNI error: the plugin's own for [`Error::Plugin`],
    /// otherwise code 0 with this error's message (library-side failure).
    pub fn to_cni_error(&self) -> CniError {
        match self {
            Error::Plugin(e) => e.clone(),
            // The cause's code, with the whole text as the message.
            Error::Wrapped { msg, cause } => {
                CniError::new(cause.to_cni_error().code, msg.clone(), "")
            }
            other => CniError::new(0, other.to_string(), ""),
        }
    }
}

impl Error {
    /// Wrap `cause` under the text `prefix: <cause>`.
    pub fn wrap(prefix: impl std::fmt::Display, cause: Error) -> Error {
        Error::Wrapped {
            msg: format!("{prefix}: {cause}"),
            cause: Box::new(cause),
        }
    }

    /// The error underneath a [`Error::Wrapped`], `None` for the others.
    pub fn cause(&self) -> Option<&Error> {
        match self {
            Error::Wrapped { cause, .. } => Some(cause),
            _ => None,
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
