//! The operations of [`CniConfig`], one verb per file, and what they share:
//! naming a plugin in errors, checking the context between plugins, and
//! taking an attachment (validated names, its lock).

mod add;
mod build;
mod cached;
mod check;
mod del;
mod gc;
mod status;
mod version;

use super::api::{CniConfig, RuntimeConf};
use super::cache::{entry_name, Cache};
use super::conf::{PluginConf, PluginConfig};
use super::lock::AttachmentLock;
use super::validate::validate_attachment;
use crate::context::Context;
use crate::exec::Exec;
use crate::types::go_quote;
use crate::{Error, Result};
use build::{build_one_config, OneConfig};

/// Upstream `pluginDescription`: `type="T"`, plus ` name="N"` when the
/// plugin's own configuration has a name.
pub(crate) fn plugin_description(net: &PluginConf) -> String {
    let mut out = format!("type={}", go_quote(&net.type_));
    if !net.name.is_empty() {
        out.push_str(&format!(" name={}", go_quote(&net.name)));
    }
    out
}

/// The error of a context that ended before a plugin could start.
pub(crate) fn ensure_live(ctx: &Context) -> Result<()> {
    match ctx.done() {
        Some(done) => Err(done.error()),
        None => Ok(()),
    }
}

/// An attachment being worked on: its cache and entry name, and its lock
/// for as long as this value lives.
pub(crate) struct Attachment {
    pub cache: Cache,
    pub entry: String,
    pub lock: AttachmentLock,
}

impl CniConfig {
    /// One plugin of a list, ready to run (upstream's `FindInPath`, then
    /// `buildOneConfig`): the executor, the plugin's path and the
    /// configuration it is sent, once the context is still live.
    pub(crate) fn prepare_one(
        &self,
        ctx: &Context,
        name: &str,
        cni_version: &str,
        net: &PluginConfig,
        prev_json: Option<&str>,
        rt: &RuntimeConf,
    ) -> Result<(&dyn Exec, String, OneConfig)> {
        ensure_live(ctx)?;
        let exec = self.exec();
        let plugin_path = exec.find_in_path(&net.network.type_, &self.path)?;
        let conf = build_one_config(name, cni_version, net, prev_json, Some(rt))?;
        Ok((exec, plugin_path, conf))
    }

    /// Validate the names of (`network`, `rt`), then take the attachment's
    /// lock, waiting as `ctx` allows.
    pub(crate) fn attach(
        &self,
        ctx: &Context,
        network: &str,
        rt: &RuntimeConf,
    ) -> Result<Attachment> {
        validate_attachment(network, &rt.container_id, &rt.if_name)?;
        let entry = entry_name(network, &rt.container_id, &rt.if_name)?;
        let cache = self.cache(rt);
        let lock = AttachmentLock::acquire(ctx, cache.root(), &entry)?;
        Ok(Attachment { cache, entry, lock })
    }
}

/// Upstream's errors.Join of several errors: their texts one per line.
/// The first error is the cause.
pub(crate) fn join_errors(mut errs: Vec<Error>) -> Result<()> {
    match errs.len() {
        0 => Ok(()),
        1 => Err(errs.remove(0)),
        _ => {
            let msg = errs
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n");
            Err(Error::Wrapped {
                msg,
                cause: Box::new(errs.remove(0)),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No error is success, one error comes back as itself, several as one
    /// whose text has each on its line and whose cause is the first.
    #[test]
    fn joined_errors() {
        assert!(join_errors(vec![]).is_ok());
        let one = join_errors(vec![Error::Io("a".into())]).unwrap_err();
        assert!(matches!(one, Error::Io(ref m) if m == "a"), "{one:?}");
        let two = join_errors(vec![Error::Io("a".into()), Error::Timeout("b".into())]).unwrap_err();
        assert_eq!(two.to_string(), "a\nb");
        assert!(matches!(two, Error::Wrapped { ref cause, .. } if matches!(**cause, Error::Io(_))));
    }
}
