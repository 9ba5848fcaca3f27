//! The environment plugins get (upstream `args.go`). These tests change
//! this process's environment, so they live in their own test binary and run
//! as one test.

use cniinvoke::{args_from_env, Args, CniArgs, DelegateArgs};

fn get<'a>(env: &'a [String], key: &str) -> Vec<&'a str> {
    env.iter()
        .filter_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .collect()
}

#[test]
fn environment_merging() {
    std::env::set_var("CNI_IFNAME", "inherited-if");
    std::env::set_var("CNI_COMMAND", "DEL");
    std::env::set_var("UNRELATED_VAR", "kept");

    let args = Args {
        command: "ADD".into(),
        container_id: "ctr".into(),
        netns: "/var/run/netns/x".into(),
        plugin_args: vec![
            ("IgnoreUnknown".into(), "1".into()),
            ("K8S_POD_NAME".into(), "p".into()),
        ],
        plugin_args_str: String::new(),
        if_name: "eth0".into(),
        path: "/opt/cni/bin:/usr/lib/cni".into(),
    };
    let env = args.as_env().unwrap();
    assert_eq!(get(&env, "CNI_COMMAND"), ["ADD"]);
    assert_eq!(get(&env, "CNI_CONTAINERID"), ["ctr"]);
    assert_eq!(get(&env, "CNI_NETNS"), ["/var/run/netns/x"]);
    assert_eq!(get(&env, "CNI_ARGS"), ["IgnoreUnknown=1;K8S_POD_NAME=p"]);
    assert_eq!(
        get(&env, "CNI_IFNAME"),
        ["eth0"],
        "a CNI value replaces an inherited one"
    );
    assert_eq!(get(&env, "CNI_PATH"), ["/opt/cni/bin:/usr/lib/cni"]);
    assert_eq!(get(&env, "UNRELATED_VAR"), ["kept"]);
    // One entry per name.
    let mut names: Vec<&str> = env.iter().map(|kv| kv.split('=').next().unwrap()).collect();
    let n = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), n);
    // Stable: the same call gives the same list, inherited names in this
    // process's order.
    assert_eq!(args.as_env().unwrap(), env);
    let ours: Vec<String> = std::env::vars().map(|(k, _)| k).collect();
    let theirs: Vec<String> = env
        .iter()
        .map(|kv| kv.split('=').next().unwrap().to_string())
        .filter(|k| ours.contains(k))
        .collect();
    assert_eq!(theirs, ours);

    // The explicit string wins.
    let args = Args {
        plugin_args_str: "A=B".into(),
        ..args
    };
    assert_eq!(get(&args.as_env().unwrap(), "CNI_ARGS"), ["A=B"]);

    // Delegation: only CNI_COMMAND changes.
    let env = DelegateArgs::new("CHECK").as_env().unwrap();
    assert_eq!(get(&env, "CNI_COMMAND"), ["CHECK"]);
    assert_eq!(get(&env, "CNI_IFNAME"), ["inherited-if"]);
    assert_eq!(get(&env, "UNRELATED_VAR"), ["kept"]);
    assert_eq!(env.len(), std::env::vars().count());

    // Inheriting: nothing to pass.
    assert_eq!(args_from_env().as_env(), None);

    // Empty args still set every CNI variable, empty.
    let env = Args::default().as_env().unwrap();
    for k in [
        "CNI_COMMAND",
        "CNI_CONTAINERID",
        "CNI_NETNS",
        "CNI_ARGS",
        "CNI_IFNAME",
        "CNI_PATH",
    ] {
        assert_eq!(get(&env, k), [""], "{k}");
    }
}
