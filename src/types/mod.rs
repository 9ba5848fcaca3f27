//! CNI result types (filled in by the types work).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CniError {
    pub code: u32,
    pub msg: String,
    pub details: String,
}
impl CniError {
    pub fn new(code: u32, msg: impl Into<String>, details: impl Into<String>) -> Self {
        CniError {
            code,
            msg: msg.into(),
            details: details.into(),
        }
    }
}
impl std::fmt::Display for CniError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.details.is_empty() {
            write!(f, "{}", self.msg)
        } else {
            write!(f, "{}; {}", self.msg, self.details)
        }
    }
}
impl std::error::Error for CniError {}
// TEMP until the types branch lands
impl<'de> serde::Deserialize<'de> for CniError {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize, Default)]
        #[serde(default)]
        struct E {
            code: u32,
            msg: String,
            details: String,
        }
        let e = E::deserialize(d)?;
        Ok(CniError {
            code: e.code,
            msg: e.msg,
            details: e.details,
        })
    }
}
#[derive(Debug, Clone)]
pub struct CniResult(pub String, pub Vec<u8>);
impl CniResult {
    pub fn create(v: &str, b: &[u8]) -> crate::Result<CniResult> {
        Ok(CniResult(v.into(), b.to_vec()))
    }
    pub fn cni_version(&self) -> &str {
        &self.0
    }
    pub fn to_json(&self) -> String {
        String::from_utf8_lossy(&self.1).into()
    }
}
pub fn decode_version(b: &[u8]) -> crate::Result<String> {
    #[derive(serde::Deserialize)]
    struct C {
        #[serde(rename = "cniVersion", default)]
        v: String,
    }
    let c: C = serde_json::from_slice(b)
        .map_err(|e| crate::Error::Decode(format!("decoding version from network config: {e}")))?;
    Ok(if c.v.is_empty() { "0.1.0".into() } else { c.v })
}
impl CniResult {
    pub fn from_json(b: &[u8]) -> crate::Result<CniResult> {
        let v = decode_version(b)?;
        Self::create(&v, b)
    }
    pub fn convert_to(&self, v: &str) -> crate::Result<CniResult> {
        Ok(CniResult(v.into(), self.1.clone()))
    }
    pub fn to_json_pretty(&self) -> String {
        self.to_json()
    }
}
impl CniError {
    pub fn to_json(&self) -> String {
        format!("{{\"code\":{},\"msg\":{:?}}}", self.code, self.msg)
    }
    pub fn code_name(&self) -> Option<&'static str> {
        None
    }
}
pub const ALL_VERSIONS: [&str; 7] = [
    "0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0",
];
