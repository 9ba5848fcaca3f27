//! W3C trace-context values a context hands to plugins.

/// W3C trace-context values handed to plugins as `TRACEPARENT`,
/// `TRACESTATE` and `BAGGAGE`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TraceContext {
    /// `traceparent` header value.
    pub traceparent: Option<String>,
    /// `tracestate` header value.
    pub tracestate: Option<String>,
    /// `baggage` header value.
    pub baggage: Option<String>,
}

impl TraceContext {
    /// The environment entries this trace context adds, in a fixed order.
    pub fn env_vars(&self) -> Vec<(&'static str, String)> {
        [
            ("TRACEPARENT", &self.traceparent),
            ("TRACESTATE", &self.tracestate),
            ("BAGGAGE", &self.baggage),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().filter(|v| !v.is_empty()).map(|v| (k, v.clone())))
        .collect()
    }

    /// Each value of `self` that is set (and not empty), else `inherited`'s.
    pub(crate) fn or_inherit(mut self, inherited: TraceContext) -> TraceContext {
        let pick = |mine: &mut Option<String>, theirs: Option<String>| {
            if mine.as_deref().unwrap_or("").is_empty() {
                *mine = theirs.filter(|s| !s.is_empty());
            }
        };
        pick(&mut self.traceparent, inherited.traceparent);
        pick(&mut self.tracestate, inherited.tracestate);
        pick(&mut self.baggage, inherited.baggage);
        self
    }
}
