//! The rules a container id, network name and interface name must follow
//! (upstream `pkg/utils`), with upstream's error codes and texts.
//!
//! Every operation checks its names with these before any of them becomes
//! part of a cache or lock file name, so none can climb out of the cache
//! directory: ids and network names are `[a-zA-Z0-9][a-zA-Z0-9_.-]*`, and an
//! interface name holds no `/`.

use crate::types::{
    CniError, ERR_INVALID_ENVIRONMENT_VARIABLES, ERR_INVALID_NETWORK_CONFIG, ERR_UNKNOWN_CONTAINER,
};
use crate::Error;

/// Longest interface name the kernel accepts (IFNAMSIZ - 1).
const MAX_INTERFACE_NAME_LENGTH: usize = 15;

/// Upstream's `^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$`.
fn valid_name_chars(s: &str) -> bool {
    let mut bytes = s.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphanumeric());
    first_ok && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn cni(code: u32, msg: &str, details: impl Into<String>) -> Error {
    Error::Plugin(CniError::new(code, msg, details))
}

/// Upstream `ValidateContainerID`.
pub fn validate_container_id(container_id: &str) -> Result<(), Error> {
    if container_id.is_empty() {
        return Err(cni(ERR_UNKNOWN_CONTAINER, "missing containerID", ""));
    }
    if !valid_name_chars(container_id) {
        return Err(cni(
            ERR_INVALID_ENVIRONMENT_VARIABLES,
            "invalid characters in containerID",
            container_id,
        ));
    }
    Ok(())
}

/// Upstream `ValidateNetworkName`.
pub fn validate_network_name(network_name: &str) -> Result<(), Error> {
    if network_name.is_empty() {
        return Err(cni(ERR_INVALID_NETWORK_CONFIG, "missing network name:", ""));
    }
    if !valid_name_chars(network_name) {
        return Err(cni(
            ERR_INVALID_NETWORK_CONFIG,
            "invalid characters found in network name",
            network_name,
        ));
    }
    Ok(())
}

/// Upstream `ValidateInterfaceName`: not empty, at most 15 bytes, not `.`
/// or `..`, no `/`, `:` or white space (Unicode's, as Go's `unicode.IsSpace`).
pub fn validate_interface_name(if_name: &str) -> Result<(), Error> {
    let env = ERR_INVALID_ENVIRONMENT_VARIABLES;
    if if_name.is_empty() {
        return Err(cni(env, "interface name is empty", ""));
    }
    if if_name.len() > MAX_INTERFACE_NAME_LENGTH {
        let details = format!(
            "interface name should be less than {} characters",
            MAX_INTERFACE_NAME_LENGTH + 1
        );
        return Err(cni(env, "interface name is too long", details));
    }
    if if_name == "." || if_name == ".." {
        return Err(cni(env, "interface name is . or ..", ""));
    }
    if if_name
        .chars()
        .any(|c| c == '/' || c == ':' || c.is_whitespace())
    {
        let msg = "interface name contains / or : or whitespace characters";
        return Err(cni(env, msg, ""));
    }
    Ok(())
}

/// All three, in upstream's order (container id, network name, ifname).
pub fn validate_attachment(network: &str, container_id: &str, if_name: &str) -> Result<(), Error> {
    validate_container_id(container_id)?;
    validate_network_name(network)?;
    validate_interface_name(if_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(r: Result<(), Error>) -> String {
        match r {
            Ok(()) => "ok".into(),
            Err(Error::Plugin(e)) => format!("{} {}", e.code, e),
            Err(e) => panic!("not a CNI error: {e:?}"),
        }
    }

    // Upstream's pkg/utils tests, as (input, expected) pairs.
    #[test]
    fn container_ids() {
        assert_eq!(text(validate_container_id("dummy")), "ok");
        assert_eq!(text(validate_container_id("a.b-c_9")), "ok");
        assert_eq!(text(validate_container_id("")), "3 missing containerID");
        for bad in ["_dummy", "dummy/", "du mmy", ".x", "-x", "x\n", "é"] {
            assert_eq!(
                text(validate_container_id(bad)),
                format!("4 invalid characters in containerID; {bad}")
            );
        }
    }

    #[test]
    fn network_names() {
        assert_eq!(text(validate_network_name("net1")), "ok");
        assert_eq!(text(validate_network_name("")), "7 missing network name:");
        assert_eq!(
            text(validate_network_name("../etc")),
            "7 invalid characters found in network name; ../etc"
        );
    }

    #[test]
    fn interface_names() {
        assert_eq!(text(validate_interface_name("eth0")), "ok");
        assert_eq!(text(validate_interface_name("123456789012345")), "ok");
        assert_eq!(
            text(validate_interface_name("")),
            "4 interface name is empty"
        );
        assert_eq!(
            text(validate_interface_name("1234567890123456")),
            "4 interface name is too long; interface name should be less than 16 characters"
        );
        assert_eq!(
            text(validate_interface_name(".")),
            "4 interface name is . or .."
        );
        assert_eq!(
            text(validate_interface_name("..")),
            "4 interface name is . or .."
        );
        for bad in [
            "eth/0",
            "eth:0",
            "eth 0",
            "eth\t0",
            "eth\u{a0}0",
            "eth\u{3000}",
        ] {
            assert_eq!(
                text(validate_interface_name(bad)),
                "4 interface name contains / or : or whitespace characters"
            );
        }
        // The limit counts bytes: 'é' is two of them.
        assert_eq!(text(validate_interface_name("ééééééé")), "ok");
        assert!(text(validate_interface_name("éééééééé")).contains("too long"));
    }
}
