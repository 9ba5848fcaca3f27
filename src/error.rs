//! The one error type of the crate.
//!
//! Each variant is one of the [`Status`] categories (the C ABI's
//! `cni_status`), so every binding maps an [`Error`] onto its own error
//! vocabulary without guessing.

use crate::types::CniError;
use std::any::Any;
use std::sync::Arc;

/// Everything that can go wrong while finding, running or decoding a plugin.
///
/// `Display` prints the message alone, word for word as upstream's Go
/// `pkg/invoke` prints the same failure where it has one.
///
/// Equality compares the category and message only: an error carrying a
/// binding's payload ([`Error::Foreign`]) equals the same error without it.
#[derive(Debug, Clone, thiserror::Error)]
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
    /// An error raised by a binding's own code (a custom executor written in
    /// C, Go or Python) carrying that binding's own error value, so that the
    /// binding hands the very value back to its caller. The core treats it
    /// as the error inside (see [`Error::kind`]).
    #[error("{}", .0.error)]
    Foreign(Foreign),
    /// Cache or configuration files could not be read or written.
    #[error("{0}")]
    Io(String),
    /// No configuration was found in a directory (upstream libcni's
    /// `NotFoundError` when `name` is set, `NoConfigsFoundError` otherwise).
    #[error("{}", config_not_found_text(dir, name.as_deref()))]
    ConfigNotFound {
        /// The directory searched.
        dir: String,
        /// The network name looked for, if one was.
        name: Option<String>,
    },
    /// An operation on a network list failed in one plugin (or one step):
    /// `msg` is the whole text, e.g. `plugin type="bridge" failed (add):
    /// <cause>`, and `cause` the error underneath. Its status is the
    /// cause's.
    #[error("{msg}")]
    Wrapped {
        /// The whole text.
        msg: String,
        /// The error underneath.
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

/// An opaque value a binding attaches to an error (a Python exception, a
/// Go error handle, a C error object); the core never looks inside.
pub type Payload = Arc<dyn Any + Send + Sync>;

/// An error from a binding's own code and the binding's value for it.
#[derive(Clone)]
pub struct Foreign {
    /// What the error means to the core: never itself `Foreign`.
    pub error: Box<Error>,
    /// The binding's own value for it.
    pub payload: Payload,
}

impl std::fmt::Debug for Foreign {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Foreign")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Error {
    fn eq(&self, other: &Error) -> bool {
        use Error::*;
        match (self.kind(), other.kind()) {
            (InvalidArgument(a), InvalidArgument(b))
            | (NotFound(a), NotFound(b))
            | (ExecFailed(a), ExecFailed(b))
            | (Decode(a), Decode(b))
            | (UnsupportedVersion(a), UnsupportedVersion(b))
            | (Timeout(a), Timeout(b))
            | (Cancelled(a), Cancelled(b))
            | (Io(a), Io(b)) => a == b,
            (Plugin(a), Plugin(b)) => a == b,
            (ConfigNotFound { dir: d1, name: n1 }, ConfigNotFound { dir: d2, name: n2 }) => {
                d1 == d2 && n1 == n2
            }
            (Wrapped { msg: m1, cause: c1 }, Wrapped { msg: m2, cause: c2 }) => {
                m1 == m2 && c1 == c2
            }
            _ => false,
        }
    }
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
    /// The plugin was not found on the search path, or a network
    /// configuration was not found in a directory.
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
    /// Cache or configuration files could not be read or written.
    Io = 9,
    /// A bug: the library panicked. The error's message says where.
    Panic = 99,
}

impl Error {
    /// This error carrying `payload`, a binding's own value for it
    /// (replacing any payload it had).
    pub fn with_payload(self, payload: Payload) -> Error {
        let error = match self {
            Error::Foreign(f) => f.error,
            other => Box::new(other),
        };
        Error::Foreign(Foreign { error, payload })
    }

    /// The binding's value attached with [`Error::with_payload`], if any.
    pub fn payload(&self) -> Option<&Payload> {
        match self {
            Error::Foreign(f) => Some(&f.payload),
            _ => None,
        }
    }

    /// The error as the core reads it: the error inside an
    /// [`Error::Foreign`], any other error itself. Match on this to learn
    /// an error's category.
    pub fn kind(&self) -> &Error {
        match self {
            Error::Foreign(f) => f.error.kind(),
            other => other,
        }
    }

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
            Error::Foreign(f) => f.error.status(),
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
        match self.kind() {
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
        match self.kind() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_changes_neither_meaning_nor_text_nor_equality() {
        let plain = Error::Plugin(CniError::new(7, "boom", "why"));
        let marked = plain.clone().with_payload(Arc::new(42u32));
        assert_eq!(marked, plain);
        assert_eq!(plain, marked);
        assert_eq!(marked.to_string(), plain.to_string());
        assert_eq!(
            Error::Decode("bad".into())
                .with_payload(Arc::new(1u8))
                .to_string(),
            "bad"
        );
        assert_eq!(marked.status(), Status::PluginError);
        assert_eq!(marked.to_cni_error(), CniError::new(7, "boom", "why"));
        assert_eq!(marked.kind(), &plain);
        assert!(matches!(marked.kind(), Error::Plugin(_)));
        let payload = marked.payload().expect("a payload");
        assert_eq!(payload.downcast_ref::<u32>(), Some(&42));
        assert!(plain.payload().is_none());
        assert_ne!(marked, Error::ExecFailed("boom".into()));
    }

    #[test]
    fn a_new_payload_replaces_the_old_one_without_nesting() {
        let e = Error::Timeout("late".into())
            .with_payload(Arc::new(1u8))
            .with_payload(Arc::new("two"));
        let Error::Foreign(f) = &e else {
            panic!("{e:?}")
        };
        assert!(matches!(*f.error, Error::Timeout(_)));
        assert_eq!(e.payload().unwrap().downcast_ref::<&str>(), Some(&"two"));
    }
}
