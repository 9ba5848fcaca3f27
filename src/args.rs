//! The CNI environment a plugin runs with (upstream `args.go`).

use crate::env::PluginEnv;
use crate::error::{Error, Result};
use std::borrow::Cow;

/// Something that knows the environment a plugin should run with.
pub trait CniArgs {
    /// The plugin's whole environment as `K=V` entries, or `None` to let the
    /// plugin inherit this process's environment unchanged.
    fn as_env(&self) -> Option<Vec<String>>;

    /// The plugin's environment as the exec layer takes it. By default
    /// [`CniArgs::as_env`]'s answer; ours say "this process's environment
    /// with these variables set", which the process runner builds straight
    /// from `environ` without a string per inherited entry.
    fn plugin_env(&self) -> PluginEnv<'_> {
        match self.as_env() {
            None => PluginEnv::Inherit,
            Some(entries) => PluginEnv::Entries(entries),
        }
    }

    /// Refuse values that cannot be passed faithfully (checked before every
    /// run; the default accepts everything).
    fn validate(&self) -> Result<()> {
        Ok(())
    }
}

/// Arguments that inherit this process's environment unchanged
/// (upstream `ArgsFromEnv()`, whose `AsEnv()` returns nil).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InheritedArgs;

/// Upstream's `ArgsFromEnv()`.
pub fn args_from_env() -> InheritedArgs {
    InheritedArgs
}

impl CniArgs for InheritedArgs {
    fn as_env(&self) -> Option<Vec<String>> {
        None
    }
}

/// The arguments of one CNI operation (upstream `invoke.Args`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args {
    /// `CNI_COMMAND`: ADD, CHECK, DEL, STATUS, GC, VERSION.
    pub command: String,
    /// `CNI_CONTAINERID`.
    pub container_id: String,
    /// `CNI_NETNS`: path of the network namespace.
    pub netns: String,
    /// Key/value pairs joined into `CNI_ARGS` when `plugin_args_str` is empty.
    pub plugin_args: Vec<(String, String)>,
    /// `CNI_ARGS` verbatim; wins over `plugin_args` when non-empty.
    pub plugin_args_str: String,
    /// `CNI_IFNAME`.
    pub if_name: String,
    /// `CNI_PATH`: where the plugin looks for its own delegates.
    pub path: String,
}

impl Args {
    /// The value `CNI_ARGS` gets: the explicit string, else `K=V;K=V`.
    pub fn cni_args_value(&self) -> String {
        self.cni_args().into_owned()
    }

    /// [`Args::cni_args_value`], borrowed when no pairs need joining.
    fn cni_args(&self) -> Cow<'_, str> {
        if !self.plugin_args_str.is_empty() || self.plugin_args.is_empty() {
            return Cow::Borrowed(&self.plugin_args_str);
        }
        let pairs: Vec<String> = self
            .plugin_args
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        Cow::Owned(pairs.join(";"))
    }
}

impl CniArgs for Args {
    /// No NUL anywhere (it cannot reach a process), and plugin-argument pairs
    /// that cannot smuggle extra pairs into `CNI_ARGS`: keys non-empty and
    /// free of `=` and `;`, values free of `;`.
    fn validate(&self) -> Result<()> {
        let fields = [
            ("command", &self.command),
            ("container id", &self.container_id),
            ("netns", &self.netns),
            ("plugin args string", &self.plugin_args_str),
            ("ifname", &self.if_name),
            ("path", &self.path),
        ];
        for (name, value) in fields {
            if value.contains('\0') {
                return Err(Error::InvalidArgument(format!(
                    "{name} {value:?} contains a NUL byte"
                )));
            }
        }
        for (k, v) in &self.plugin_args {
            if k.is_empty() || k.contains(['=', ';', '\0']) {
                return Err(Error::InvalidArgument(format!(
                    "plugin argument key {k:?} must be non-empty and hold no '=', ';' or NUL"
                )));
            }
            if v.contains([';', '\0']) {
                return Err(Error::InvalidArgument(format!(
                    "plugin argument {k}={v:?}: a value may hold no ';' or NUL"
                )));
            }
        }
        Ok(())
    }

    fn as_env(&self) -> Option<Vec<String>> {
        self.plugin_env().to_entries()
    }

    fn plugin_env(&self) -> PluginEnv<'_> {
        PluginEnv::Overlay(vec![
            ("CNI_COMMAND", Cow::Borrowed(&self.command)),
            ("CNI_CONTAINERID", Cow::Borrowed(&self.container_id)),
            ("CNI_NETNS", Cow::Borrowed(&self.netns)),
            ("CNI_ARGS", self.cni_args()),
            ("CNI_IFNAME", Cow::Borrowed(&self.if_name)),
            ("CNI_PATH", Cow::Borrowed(&self.path)),
        ])
    }
}

/// This process's environment with `CNI_COMMAND` overridden (upstream
/// `DelegateArgs`), used when a plugin delegates to another plugin.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DelegateArgs {
    /// The verb the delegate runs.
    pub command: String,
}

impl DelegateArgs {
    /// Delegate arguments for `command`.
    pub fn new(command: impl Into<String>) -> Self {
        DelegateArgs {
            command: command.into(),
        }
    }
}

impl CniArgs for DelegateArgs {
    fn validate(&self) -> Result<()> {
        if self.command.contains('\0') {
            return Err(Error::InvalidArgument(format!(
                "command {:?} contains a NUL byte",
                self.command
            )));
        }
        Ok(())
    }

    fn as_env(&self) -> Option<Vec<String>> {
        self.plugin_env().to_entries()
    }

    fn plugin_env(&self) -> PluginEnv<'_> {
        PluginEnv::Overlay(vec![("CNI_COMMAND", Cow::Borrowed(&self.command))])
    }
}

/// Exactly this environment, nothing inherited: a caller that has already
/// computed the plugin's whole environment (an arbitrary `CNIArgs.AsEnv()`
/// of a binding, or the C ABI's `{"environ":[...]}`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExplicitEnv(pub Vec<String>);

impl CniArgs for ExplicitEnv {
    /// No NUL in any entry (it cannot reach a process).
    fn validate(&self) -> Result<()> {
        match self.0.iter().find(|kv| kv.contains('\0')) {
            Some(kv) => Err(Error::InvalidArgument(format!(
                "environment entry {kv:?} contains a NUL byte"
            ))),
            None => Ok(()),
        }
    }

    fn as_env(&self) -> Option<Vec<String>> {
        Some(self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smuggling_and_nul_are_refused() {
        let pair = |k: &str, v: &str| Args {
            plugin_args: vec![(k.into(), v.into())],
            ..Default::default()
        };
        assert!(pair("K", "V").validate().is_ok());
        assert!(
            pair("K", "a=b").validate().is_ok(),
            "'=' in a value is fine"
        );
        for (k, v) in [
            ("", "v"),
            ("K=X", "v"),
            ("K;X", "v"),
            ("K\0", "v"),
            ("K", "v;X=evil"),
            ("K", "v\0"),
        ] {
            let e = pair(k, v).validate().unwrap_err();
            assert!(matches!(e, Error::InvalidArgument(_)), "{k:?}={v:?}");
        }
        let a = Args {
            netns: "/x\0y".into(),
            ..Default::default()
        };
        assert_eq!(
            a.validate().unwrap_err().to_string(),
            r#"netns "/x\0y" contains a NUL byte"#
        );
        assert!(DelegateArgs::new("A\0").validate().is_err());
        assert!(ExplicitEnv(vec!["K=V".into(), "X=\0".into()])
            .validate()
            .is_err());
    }

    #[test]
    fn explicit_env_is_passed_as_given() {
        let env = vec!["B=2".to_string(), "A=1".into(), "B=3".into(), "NOEQ".into()];
        let a = ExplicitEnv(env.clone());
        assert!(a.validate().is_ok());
        assert_eq!(a.as_env(), Some(env));
        assert_eq!(ExplicitEnv::default().as_env(), Some(vec![]));
    }

    #[test]
    fn cni_args_prefers_the_string() {
        let mut a = Args {
            plugin_args: vec![("K".into(), "V".into()), ("X".into(), "Y".into())],
            ..Default::default()
        };
        assert_eq!(a.cni_args_value(), "K=V;X=Y");
        assert_eq!(a.plugin_env().value("CNI_ARGS").as_deref(), Some("K=V;X=Y"));
        a.plugin_args_str = "S=T".into();
        assert_eq!(a.cni_args_value(), "S=T");
        assert_eq!(a.plugin_env().value("CNI_ARGS").as_deref(), Some("S=T"));
        let none = Args::default();
        assert_eq!(none.cni_args_value(), "");
        assert_eq!(none.plugin_env().value("CNI_ARGS").as_deref(), Some(""));
    }
}
