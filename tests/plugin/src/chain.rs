//! The ADD result the plugin makes up itself: in the configuration's
//! `cniVersion`, carrying a `prevResult` through so chaining is observable.
//!
//! For 0.3.0 and later the result is prevResult's `interfaces`, `ips`,
//! `routes` and `dns`, plus one interface and one address of our own. With
//! n interfaces in prevResult (n = 0 without one), our interface is named
//! `CNI_IFNAME` when n = 0 and `CNI_IFNAME-n` otherwise (so its name tells
//! the plugin's position in a list), sandbox `CNI_NETNS`, and our address is
//! `10.1.2.(3+n)/24` (gateway 10.1.2.1) on interface n. Carried addresses
//! get (below 1.0.0) or lose (1.0.0 and later) the `"version"` field. For
//! 0.1.0 and 0.2.0 the result is always `ip4` 10.1.2.3/24.

use serde_json::{json, Map, Value};

pub const SUPPORTED: [&str; 7] = [
    "0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0",
];

/// A CNI error: code, msg, details.
pub type CniError = (u32, String, Option<String>);

/// The result for the configuration on `stdin`, or the CNI error to print.
pub fn add_result(stdin: &[u8]) -> Result<Value, CniError> {
    let decoding = |d: String| (6, "decoding failure".to_owned(), Some(d));
    let conf = match serde_json::from_slice::<Value>(stdin) {
        Ok(Value::Object(conf)) => conf,
        Ok(_) => return Err(decoding("config is not a JSON object".into())),
        Err(e) => return Err(decoding(e.to_string())),
    };
    let version = match conf.get("cniVersion") {
        None | Some(Value::Null) => "0.1.0".to_owned(),
        Some(Value::String(v)) if v.is_empty() => "0.1.0".to_owned(),
        Some(Value::String(v)) => v.clone(),
        Some(_) => return Err(decoding("cniVersion is not a string".into())),
    };
    match version.as_str() {
        "0.1.0" | "0.2.0" => Ok(json!({
            "cniVersion": version,
            "ip4": {"ip": "10.1.2.3/24", "gateway": "10.1.2.1"},
            "dns": {},
        })),
        "0.3.0" | "0.3.1" | "0.4.0" | "1.0.0" | "1.1.0" => Ok(chained(&version, &conf)),
        _ => {
            // Go's %q formatting of the version and of the []string.
            let quoted: Vec<String> = SUPPORTED.iter().map(|v| format!("\"{v}\"")).collect();
            let details = format!(
                "config is {:?}, plugin supports [{}]",
                version,
                quoted.join(" ")
            );
            Err((1, "incompatible CNI versions".into(), Some(details)))
        }
    }
}

/// A 0.3.0-or-later result: prevResult's contents plus our own.
fn chained(version: &str, conf: &Map<String, Value>) -> Value {
    let empty = Map::new();
    let prev = match conf.get("prevResult") {
        Some(Value::Object(p)) => p,
        _ => &empty,
    };
    let list = |key: &str| match prev.get(key) {
        Some(Value::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    let mut interfaces = list("interfaces");
    let n = interfaces.len();
    let if_name = std::env::var("CNI_IFNAME").unwrap_or_default();
    let own_name = if n == 0 {
        if_name
    } else {
        format!("{if_name}-{n}")
    };
    let netns = std::env::var("CNI_NETNS").unwrap_or_default();
    interfaces.push(json!({"name": own_name, "sandbox": netns}));
    let mut ips = list("ips");
    ips.push(json!({
        "interface": n,
        "address": format!("10.1.2.{}/24", 3 + n),
        "gateway": "10.1.2.1",
    }));
    for ip in &mut ips {
        set_ip_version(version, ip);
    }
    let mut result = json!({
        "cniVersion": version,
        "interfaces": interfaces,
        "ips": ips,
        "dns": prev.get("dns").cloned().unwrap_or_else(|| json!({})),
    });
    if let Some(routes) = prev.get("routes") {
        result["routes"] = routes.clone();
    }
    result
}

/// Below 1.0.0 an address carries `"version"`; from 1.0.0 on it does not.
fn set_ip_version(version: &str, ip: &mut Value) {
    let Value::Object(ip) = ip else { return };
    if version.starts_with("1.") {
        ip.remove("version");
    } else if !ip.contains_key("version") {
        let v6 = ip
            .get("address")
            .and_then(Value::as_str)
            .is_some_and(|a| a.contains(':'));
        ip.insert("version".into(), json!(if v6 { "6" } else { "4" }));
    }
}
