// TEMP until the types branch lands
#[derive(Debug, Clone, PartialEq)]
pub struct PluginInfo {
    pub cni_version: String,
    pub supported_versions: Vec<String>,
}
pub fn current() -> &'static str {
    "1.1.0"
}
impl PluginInfo {
    pub fn supports(v: &[&str]) -> Self {
        PluginInfo {
            cni_version: current().into(),
            supported_versions: v.iter().map(|s| s.to_string()).collect(),
        }
    }
    pub fn decode(b: &[u8]) -> crate::Result<PluginInfo> {
        let v: serde_json::Value =
            serde_json::from_slice(b).map_err(|e| crate::Error::Decode(e.to_string()))?;
        Ok(PluginInfo {
            cni_version: v["cniVersion"].as_str().unwrap_or("").into(),
            supported_versions: v["supportedVersions"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
    pub fn supported_versions(&self) -> &[String] {
        &self.supported_versions
    }
}
impl PluginInfo {
    pub fn cni_version(&self) -> &str {
        &self.cni_version
    }
    pub fn to_json(&self) -> String {
        serde_json::json!({"cniVersion": self.cni_version, "supportedVersions": self.supported_versions}).to_string()
    }
}
