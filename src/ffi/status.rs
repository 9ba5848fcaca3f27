//! `cni_status`: the result of every fallible call.

use crate::error::Status;

/// The outcome of a fallible call. The values are stable.
///
/// On anything but `CNI_STATUS_OK` the call's `cni_error **err` (when not
/// NULL) receives an error with the details.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum cni_status {
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
    /// A cache or configuration file could not be read or written.
    Io = 9,
    /// A bug: the library panicked. The error's message says where.
    Panic = 99,
}

impl From<Status> for cni_status {
    fn from(s: Status) -> Self {
        match s {
            Status::Ok => cni_status::Ok,
            Status::InvalidArgument => cni_status::InvalidArgument,
            Status::NotFound => cni_status::NotFound,
            Status::PluginError => cni_status::PluginError,
            Status::ExecFailed => cni_status::ExecFailed,
            Status::DecodeError => cni_status::DecodeError,
            Status::UnsupportedVersion => cni_status::UnsupportedVersion,
            Status::Timeout => cni_status::Timeout,
            Status::Cancelled => cni_status::Cancelled,
            Status::Io => cni_status::Io,
            Status::Panic => cni_status::Panic,
        }
    }
}

impl From<cni_status> for Status {
    fn from(s: cni_status) -> Self {
        match s {
            cni_status::Ok => Status::Ok,
            cni_status::InvalidArgument => Status::InvalidArgument,
            cni_status::NotFound => Status::NotFound,
            cni_status::PluginError => Status::PluginError,
            cni_status::ExecFailed => Status::ExecFailed,
            cni_status::DecodeError => Status::DecodeError,
            cni_status::UnsupportedVersion => Status::UnsupportedVersion,
            cni_status::Timeout => Status::Timeout,
            cni_status::Cancelled => Status::Cancelled,
            cni_status::Io => Status::Io,
            cni_status::Panic => Status::Panic,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_match_the_core_categories() {
        for s in [
            Status::Ok,
            Status::InvalidArgument,
            Status::NotFound,
            Status::PluginError,
            Status::ExecFailed,
            Status::DecodeError,
            Status::UnsupportedVersion,
            Status::Timeout,
            Status::Cancelled,
            Status::Io,
            Status::Panic,
        ] {
            let c = cni_status::from(s);
            assert_eq!(c as i32, s as i32);
            assert_eq!(Status::from(c), s);
        }
    }
}
