//! CNI result types (filled in by the types work).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CniError {
    pub code: u32,
    pub msg: String,
    pub details: String,
}
impl CniError {
    pub fn new(code: u32, msg: impl Into<String>, details: impl Into<String>) -> Self {
        CniError { code, msg: msg.into(), details: details.into() }
    }
}
impl std::fmt::Display for CniError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.details.is_empty() { write!(f, "{}", self.msg) } else { write!(f, "{}; {}", self.msg, self.details) }
    }
}
impl std::error::Error for CniError {}
