// libcniinvoke: header-only C++17 wrapper over the C ABI (cniinvoke.h).
//
// RAII handles (cni::Context, cni::Exec), failures as exceptions
// (cni::Error, carrying the cni_status and the CNI error's code, msg and
// details), results as std::string JSON. Thread-safety is the C ABI's:
// Context and Exec may be shared between threads; each is movable, not
// copyable.
//
//   cni::Context ctx = cni::Context::with_timeout(std::chrono::seconds(5));
//   cni::Args args;
//   args.command = "ADD"; args.container_id = "ctr"; args.netns = "/var/run/netns/x";
//   args.if_name = "eth0"; args.path = "/opt/cni/bin";
//   std::string result = cni::exec_plugin_with_result(plugin, netconf, args, nullptr, &ctx);
#ifndef CNIINVOKE_HPP
#define CNIINVOKE_HPP

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cniinvoke.h"

namespace cni {

/// The C ABI's status values.
enum class Status : int {
  Ok = CNI_STATUS_OK,
  InvalidArgument = CNI_STATUS_INVALID_ARGUMENT,
  NotFound = CNI_STATUS_NOT_FOUND,
  PluginError = CNI_STATUS_PLUGIN_ERROR,
  ExecFailed = CNI_STATUS_EXEC_FAILED,
  DecodeError = CNI_STATUS_DECODE_ERROR,
  UnsupportedVersion = CNI_STATUS_UNSUPPORTED_VERSION,
  Timeout = CNI_STATUS_TIMEOUT,
  Cancelled = CNI_STATUS_CANCELLED,
  Io = CNI_STATUS_IO,
  Panic = CNI_STATUS_PANIC,
};

/// A failed call: its status and CNI error (code 0 for library-side
/// errors; the plugin's own code, msg and details for Status::PluginError).
/// what() is the message, with "; details" when there are details.
class Error : public std::runtime_error {
 public:
  Error(Status status, uint32_t code, std::string msg, std::string details)
      : std::runtime_error(details.empty() ? msg : msg + "; " + details),
        status_(status),
        code_(code),
        msg_(std::move(msg)),
        details_(std::move(details)) {}

  /// Takes ownership of `e` (may be NULL) and frees it.
  static Error from_c(cni_status status, cni_error *e) {
    Error out(static_cast<Status>(status), cni_error_code(e), cni_error_msg(e),
              cni_error_details(e));
    char *json = nullptr;
    if (e != nullptr && cni_error_to_json(e, &json, nullptr) == CNI_STATUS_OK) {
      out.json_ = json;
      cni_string_free(json);
    }
    if (const cni_error *c = cni_error_cause(e)) {
      out.cause_ = Cause{cni_error_code(c), cni_error_msg(c), cni_error_details(c)};
    }
    if (const char *st = cni_error_exit_status(e)) out.exit_status_ = st;
    cni_error_free(e);
    return out;
  }

  /// The error a network-list failure wraps: the failing plugin's own.
  struct Cause {
    uint32_t code;
    std::string msg;
    std::string details;
  };

  Status status() const noexcept { return status_; }
  uint32_t code() const noexcept { return code_; }
  const std::string &msg() const noexcept { return msg_; }
  const std::string &details() const noexcept { return details_; }
  /// The CNI error JSON (as a plugin prints it); empty if unavailable.
  const std::string &json() const noexcept { return json_; }
  /// The wrapped error (cni_error_cause), when there is one.
  const std::optional<Cause> &cause() const noexcept { return cause_; }
  /// How a failed plugin process ended ("exit status 1", "signal: killed");
  /// empty when the error does not come from a plugin that ran.
  const std::string &exit_status() const noexcept { return exit_status_; }

 private:
  Status status_;
  uint32_t code_;
  std::string msg_;
  std::string details_;
  std::string json_;
  std::optional<Cause> cause_;
  std::string exit_status_;
};

namespace detail {

/// Run `f(&err)` (a C call returning cni_status); throw its error.
template <typename F>
inline void call(F &&f) {
  cni_error *err = nullptr;
  cni_status status = f(&err);
  if (status != CNI_STATUS_OK) throw Error::from_c(status, err);
  cni_error_free(err);
}

/// Takes ownership of a library string.
inline std::string take(char *s) {
  std::string out = s != nullptr ? std::string(s) : std::string();
  cni_string_free(s);
  return out;
}

inline std::string json_quote(std::string_view s) {
  static const char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

inline std::string json_array(const std::vector<std::string> &items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); i++) {
    if (i) out += ",";
    out += json_quote(items[i]);
  }
  return out + "]";
}

inline const char *c_str_or_null(const std::optional<std::string> &s) {
  return s ? s->c_str() : nullptr;
}

}  // namespace detail

/// The arguments of one CNI operation (upstream invoke.Args).
struct Args {
  std::string command;
  std::string container_id;
  std::string netns;
  std::vector<std::pair<std::string, std::string>> plugin_args;
  std::string plugin_args_str;
  std::string if_name;
  std::string path;

  /// The C ABI's args_json.
  std::string to_json() const {
    using detail::json_quote;
    std::string pa = "[";
    for (size_t i = 0; i < plugin_args.size(); i++) {
      if (i) pa += ",";
      pa += "[" + json_quote(plugin_args[i].first) + "," + json_quote(plugin_args[i].second) + "]";
    }
    pa += "]";
    return "{\"command\":" + json_quote(command) + ",\"containerId\":" + json_quote(container_id) +
           ",\"netns\":" + json_quote(netns) + ",\"ifName\":" + json_quote(if_name) +
           ",\"path\":" + json_quote(path) + ",\"pluginArgs\":" + pa +
           ",\"pluginArgsStr\":" + json_quote(plugin_args_str) + "}";
  }
};

/// The args_json that makes a plugin run with exactly `environ` ("K=V"
/// entries; nothing inherited): {"environ":[...]}.
inline std::string environ_args_json(const std::vector<std::string> &environ) {
  return "{\"environ\":" + detail::json_array(environ) + "}";
}

/// Cancellation, deadline and trace context (cni_context).
class Context {
 public:
  /// Cancellable, no deadline.
  Context() : ctx_(cni_context_new()) {}

  /// Deadline `timeout` from now.
  static Context with_timeout(std::chrono::milliseconds timeout) {
    auto ms = timeout.count() < 0 ? 0 : static_cast<uint64_t>(timeout.count());
    return Context(cni_context_with_timeout_ms(ms));
  }

  /// A child: cancelled at once with this context (not the reverse), with
  /// this context's deadline and trace values unless it sets its own. It
  /// may outlive this context.
  Context child() const { return Context(cni_context_new_child(ctx_.get())); }

  /// A child (see child()) whose deadline is `timeout` from now, or this
  /// context's when that is earlier.
  Context child_with_timeout(std::chrono::milliseconds timeout) const {
    auto ms = timeout.count() < 0 ? 0 : static_cast<uint64_t>(timeout.count());
    return Context(cni_context_child_with_timeout_ms(ctx_.get(), ms));
  }

  /// Any thread, idempotent; cancels the children too.
  void cancel() const noexcept { cni_context_cancel(ctx_.get()); }

  /// W3C trace context handed to plugins (nullopt = not set).
  void set_trace(const std::optional<std::string> &traceparent,
                 const std::optional<std::string> &tracestate = std::nullopt,
                 const std::optional<std::string> &baggage = std::nullopt) {
    detail::call([&](cni_error **err) {
      return cni_context_set_trace(ctx_.get(), detail::c_str_or_null(traceparent),
                                   detail::c_str_or_null(tracestate),
                                   detail::c_str_or_null(baggage), err);
    });
  }

  /// The environment plugins started under this context (and its
  /// children that set none) inherit instead of this process's `environ`:
  /// exactly `entries` ("K=V", bytes as they are). For a host whose
  /// environment may change while calls run. An empty entry or one holding
  /// a NUL throws Status::InvalidArgument.
  void set_environ(const std::vector<std::string> &entries) {
    std::string block;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].find('\0') != std::string::npos) {
        throw Error(Status::InvalidArgument, 0,
                    "environment entry " + std::to_string(i) + " contains a NUL byte", "");
      }
      block += entries[i];
      block += '\0';
    }
    detail::call([&](cni_error **err) {
      return cni_context_set_environ(ctx_.get(), reinterpret_cast<const uint8_t *>(block.data()),
                                     block.size(), err);
    });
  }

  /// Back to the parent's environment, else this process's.
  void clear_environ() {
    detail::call(
        [&](cni_error **err) { return cni_context_set_environ(ctx_.get(), nullptr, 0, err); });
  }

  const cni_context *get() const noexcept { return ctx_.get(); }

 private:
  explicit Context(cni_context *c) : ctx_(c) {}
  struct Free {
    void operator()(cni_context *c) const noexcept { cni_context_free(c); }
  };
  std::unique_ptr<cni_context, Free> ctx_;
};

/// How plugins are found and run (cni_exec).
class Exec {
 public:
  /// Upstream DefaultExec.
  static Exec default_exec() { return Exec(cni_exec_new_default(), nullptr); }

  /// Upstream RawExec with the C ABI's options JSON
  /// ({"stderr":"discard"|"forward"|"inherit","textBusyRetries":N,
  ///   "textBusyDelayMs":N,"killGraceMs":N,"maxOutputBytes":N}; see
  /// cni_exec_new_raw). Without options stderr is discarded, as upstream's
  /// RawExec{}; Exec::default_exec() forwards it.
  static Exec raw(const std::optional<std::string> &options_json = std::nullopt) {
    cni_exec *e = nullptr;
    detail::call([&](cni_error **err) {
      return cni_exec_new_raw(detail::c_str_or_null(options_json), &e, err);
    });
    return Exec(e, nullptr);
  }

  /// Upstream RawExec{Stderr: w}: a successful plugin's stderr goes to
  /// `write` (called on the calling thread; must be thread-safe when the
  /// Exec is shared; exceptions it throws are swallowed).
  static Exec raw_with_stderr(std::function<void(std::string_view)> write,
                              const std::optional<std::string> &options_json = std::nullopt) {
    auto holder = std::make_shared<std::function<void(std::string_view)>>(std::move(write));
    cni_exec *e = nullptr;
    detail::call([&](cni_error **err) {
      return cni_exec_new_raw_with_stderr(detail::c_str_or_null(options_json),
                                          &Exec::write_trampoline, holder.get(), &e, err);
    });
    return Exec(e, std::move(holder));
  }

  /// A caller-implemented exec (see cni_exec_vtable in cniinvoke.h).
  static Exec custom(const cni_exec_vtable &vtable, void *userdata) {
    cni_exec *e = cni_exec_new_custom(&vtable, userdata);
    if (e == nullptr) throw Error(Status::InvalidArgument, 0, "cni_exec_new_custom failed", "");
    return Exec(e, nullptr);
  }

  const cni_exec *get() const noexcept { return exec_.get(); }

 private:
  Exec(cni_exec *e, std::shared_ptr<void> keep) : keep_(std::move(keep)), exec_(e) {}

  static void write_trampoline(void *userdata, const uint8_t *data, size_t len) {
    auto *fn = static_cast<std::function<void(std::string_view)> *>(userdata);
    try {
      (*fn)(std::string_view(reinterpret_cast<const char *>(data), len));
    } catch (...) {
    }
  }

  struct Free {
    void operator()(cni_exec *e) const noexcept { cni_exec_free(e); }
  };
  // Declared first so it is destroyed after the exec that uses it.
  std::shared_ptr<void> keep_;
  std::unique_ptr<cni_exec, Free> exec_;
};

namespace detail {
inline const cni_exec *exec_ptr(const Exec *e) { return e ? e->get() : nullptr; }
inline const cni_context *ctx_ptr(const Context *c) { return c ? c->get() : nullptr; }
}  // namespace detail

/// Library version, static.
inline std::string version() { return cni_version(); }
/// CNI spec version spoken ("1.1.0").
inline std::string spec_version() { return cni_spec_version(); }
/// JSON array of executable file extensions.
inline std::string executable_file_extensions() { return cni_executable_file_extensions(); }

/// Upstream FindInPath.
inline std::string find_in_path(const std::string &plugin, const std::vector<std::string> &paths) {
  char *out = nullptr;
  detail::call([&](cni_error **err) {
    return cni_find_in_path(plugin.c_str(), detail::json_array(paths).c_str(), &out, err);
  });
  return detail::take(out);
}

/// Upstream ExecPluginWithResult; args_json nullopt = inherit the environment.
inline std::string exec_plugin_with_result(const std::string &plugin_path, const std::string &netconf,
                                           const std::optional<std::string> &args_json,
                                           const Exec *exec = nullptr, const Context *ctx = nullptr) {
  char *out = nullptr;
  detail::call([&](cni_error **err) {
    return cni_exec_plugin_with_result(detail::exec_ptr(exec), detail::ctx_ptr(ctx),
                                       plugin_path.c_str(), netconf.c_str(),
                                       detail::c_str_or_null(args_json), &out, err);
  });
  return detail::take(out);
}

inline std::string exec_plugin_with_result(const std::string &plugin_path, const std::string &netconf,
                                           const Args &args, const Exec *exec = nullptr,
                                           const Context *ctx = nullptr) {
  return exec_plugin_with_result(plugin_path, netconf, std::optional<std::string>(args.to_json()),
                                 exec, ctx);
}

/// Upstream ExecPluginWithoutResult.
inline void exec_plugin_without_result(const std::string &plugin_path, const std::string &netconf,
                                       const std::optional<std::string> &args_json,
                                       const Exec *exec = nullptr, const Context *ctx = nullptr) {
  detail::call([&](cni_error **err) {
    return cni_exec_plugin_without_result(detail::exec_ptr(exec), detail::ctx_ptr(ctx),
                                          plugin_path.c_str(), netconf.c_str(),
                                          detail::c_str_or_null(args_json), err);
  });
}

inline void exec_plugin_without_result(const std::string &plugin_path, const std::string &netconf,
                                       const Args &args, const Exec *exec = nullptr,
                                       const Context *ctx = nullptr) {
  exec_plugin_without_result(plugin_path, netconf, std::optional<std::string>(args.to_json()), exec,
                             ctx);
}

/// The Exec interface's ExecPlugin (upstream RawExec.ExecPlugin): run the
/// plugin with `stdin_data` on stdin and exactly `environ` as its
/// environment (nullopt = inherit this process's); its raw stdout.
inline std::string exec_plugin(const std::string &plugin_path, std::string_view stdin_data,
                               const std::optional<std::vector<std::string>> &environ,
                               const Exec *exec = nullptr, const Context *ctx = nullptr) {
  std::vector<const char *> env;
  if (environ) {
    for (const auto &kv : *environ) env.push_back(kv.c_str());
    env.push_back(nullptr);
  }
  uint8_t *out = nullptr;
  size_t len = 0;
  detail::call([&](cni_error **err) {
    return cni_exec_plugin(detail::exec_ptr(exec), detail::ctx_ptr(ctx), plugin_path.c_str(),
                           reinterpret_cast<const uint8_t *>(stdin_data.data()), stdin_data.size(),
                           environ ? env.data() : nullptr, &out, &len, err);
  });
  std::string stdout_data(reinterpret_cast<const char *>(out), len);
  cni_bytes_free(out, len);
  return stdout_data;
}

/// Upstream GetVersionInfo: plugin-info JSON.
inline std::string get_version_info(const std::string &plugin_path, const Exec *exec = nullptr,
                                    const Context *ctx = nullptr) {
  char *out = nullptr;
  detail::call([&](cni_error **err) {
    return cni_get_version_info(detail::exec_ptr(exec), detail::ctx_ptr(ctx), plugin_path.c_str(),
                                &out, err);
  });
  return detail::take(out);
}

/// Upstream DelegateAdd: result JSON.
inline std::string delegate_add(const std::string &plugin, const std::string &netconf,
                                const Exec *exec = nullptr, const Context *ctx = nullptr) {
  char *out = nullptr;
  detail::call([&](cni_error **err) {
    return cni_delegate_add(detail::exec_ptr(exec), detail::ctx_ptr(ctx), plugin.c_str(),
                            netconf.c_str(), &out, err);
  });
  return detail::take(out);
}

#define CNIINVOKE_HPP_DELEGATE(name)                                                          \
  inline void delegate_##name(const std::string &plugin, const std::string &netconf,          \
                              const Exec *exec = nullptr, const Context *ctx = nullptr) {     \
    detail::call([&](cni_error **err) {                                                       \
      return cni_delegate_##name(detail::exec_ptr(exec), detail::ctx_ptr(ctx), plugin.c_str(), \
                                 netconf.c_str(), err);                                       \
    });                                                                                       \
  }
/// Upstream DelegateCheck / DelegateDel / DelegateStatus / DelegateGC.
CNIINVOKE_HPP_DELEGATE(check)
CNIINVOKE_HPP_DELEGATE(del)
CNIINVOKE_HPP_DELEGATE(status)
CNIINVOKE_HPP_DELEGATE(gc)
#undef CNIINVOKE_HPP_DELEGATE

/// Upstream Args.AsEnv(): JSON array of "K=V" ("null" for nullopt = inherit).
inline std::string args_as_env(const std::optional<std::string> &args_json) {
  char *out = nullptr;
  detail::call([&](cni_error **err) {
    return cni_args_as_env(detail::c_str_or_null(args_json), &out, err);
  });
  return detail::take(out);
}

inline std::string args_as_env(const Args &args) {
  return args_as_env(std::optional<std::string>(args.to_json()));
}

/// Convert a result JSON to another CNI version.
inline std::string result_convert(const std::string &result_json, const std::string &to_version) {
  char *out = nullptr;
  detail::call([&](cni_error **err) {
    return cni_result_convert(result_json.c_str(), to_version.c_str(), &out, err);
  });
  return detail::take(out);
}

/// The runtime side of a network-list call (upstream libcni.RuntimeConf).
struct RuntimeConf {
  std::string container_id;
  std::string netns;
  std::string if_name;
  std::vector<std::pair<std::string, std::string>> args;
  /// A JSON object: the capability arguments ("{}" = none).
  std::string capability_args_json = "{}";

  /// The C ABI's rt_json.
  std::string to_json() const {
    using detail::json_quote;
    std::string a = "[";
    for (size_t i = 0; i < args.size(); i++) {
      if (i) a += ",";
      a += "[" + json_quote(args[i].first) + "," + json_quote(args[i].second) + "]";
    }
    a += "]";
    return "{\"containerId\":" + json_quote(container_id) + ",\"netns\":" + json_quote(netns) +
           ",\"ifName\":" + json_quote(if_name) + ",\"args\":" + a +
           ",\"capabilityArgs\":" + capability_args_json + "}";
  }
};

/// Plugin paths, an exec and a cache directory: the network-list layer
/// (cni_config, upstream libcni.CNIConfig). Thread-safe; movable, not
/// copyable. Lists and plugin configurations are JSON text as read from a
/// .conflist / .conf file; results and cached data are JSON text.
class Config {
 public:
  /// cache_dir nullopt = /var/lib/cni; exec nullptr = the default exec
  /// (the config keeps its own reference to it).
  explicit Config(const std::vector<std::string> &paths,
                  const std::optional<std::string> &cache_dir = std::nullopt,
                  const Exec *exec = nullptr) {
    cni_config *c = nullptr;
    detail::call([&](cni_error **err) {
      return cni_config_new(detail::json_array(paths).c_str(), detail::c_str_or_null(cache_dir),
                            detail::exec_ptr(exec), &c, err);
    });
    cfg_.reset(c);
  }

  /// {"cleanupOnFailure":bool,"cacheSync":bool}
  void set_options(const std::string &options_json) {
    detail::call([&](cni_error **err) {
      return cni_config_set_options(cfg_.get(), options_json.c_str(), err);
    });
  }

  std::string add_network_list(const std::string &netlist, const RuntimeConf &rt,
                               const Context *ctx = nullptr) const {
    return out_call([&](char **out, cni_error **err) {
      return cni_network_list_add(cfg_.get(), detail::ctx_ptr(ctx), netlist.c_str(),
                                  rt.to_json().c_str(), out, err);
    });
  }
  void check_network_list(const std::string &netlist, const RuntimeConf &rt,
                          const Context *ctx = nullptr) const {
    detail::call([&](cni_error **err) {
      return cni_network_list_check(cfg_.get(), detail::ctx_ptr(ctx), netlist.c_str(),
                                    rt.to_json().c_str(), err);
    });
  }
  void del_network_list(const std::string &netlist, const RuntimeConf &rt,
                        const Context *ctx = nullptr) const {
    detail::call([&](cni_error **err) {
      return cni_network_list_del(cfg_.get(), detail::ctx_ptr(ctx), netlist.c_str(),
                                  rt.to_json().c_str(), err);
    });
  }
  /// nullopt when nothing is cached.
  std::optional<std::string> network_list_cached_result(const std::string &netlist,
                                                        const RuntimeConf &rt) const {
    return opt_call([&](char **out, cni_error **err) {
      return cni_network_list_cached_result(cfg_.get(), netlist.c_str(), rt.to_json().c_str(),
                                            out, err);
    });
  }
  /// {"config":"…","runtimeConf":{…}}, nullopt when nothing is cached.
  std::optional<std::string> network_list_cached_config(const std::string &netlist,
                                                        const RuntimeConf &rt) const {
    return opt_call([&](char **out, cni_error **err) {
      return cni_network_list_cached_config(cfg_.get(), netlist.c_str(), rt.to_json().c_str(),
                                            out, err);
    });
  }
  /// The enabled capabilities, as a JSON array.
  std::string validate_network_list(const std::string &netlist, const Context *ctx = nullptr) const {
    return out_call([&](char **out, cni_error **err) {
      return cni_network_list_validate(cfg_.get(), detail::ctx_ptr(ctx), netlist.c_str(), out, err);
    });
  }
  /// gc_args_json nullopt = no arguments.
  void gc_network_list(const std::string &netlist,
                       const std::optional<std::string> &gc_args_json = std::nullopt,
                       const Context *ctx = nullptr) const {
    detail::call([&](cni_error **err) {
      return cni_network_list_gc(cfg_.get(), detail::ctx_ptr(ctx), netlist.c_str(),
                                 detail::c_str_or_null(gc_args_json), err);
    });
  }
  void status_network_list(const std::string &netlist, const Context *ctx = nullptr) const {
    detail::call([&](cni_error **err) {
      return cni_network_list_status(cfg_.get(), detail::ctx_ptr(ctx), netlist.c_str(), err);
    });
  }
  /// A JSON array of attachments.
  std::string cached_attachments(const std::string &container_id) const {
    return out_call([&](char **out, cni_error **err) {
      return cni_cached_attachments(cfg_.get(), container_id.c_str(), out, err);
    });
  }
  /// Plugin-info JSON of the plugin `plugin_type` found on the paths.
  std::string version_info(const std::string &plugin_type, const Context *ctx = nullptr) const {
    return out_call([&](char **out, cni_error **err) {
      return cni_config_version_info(cfg_.get(), detail::ctx_ptr(ctx), plugin_type.c_str(), out,
                                     err);
    });
  }

  // One plugin configuration (a .conf) as a network of its own.
  std::string add_network(const std::string &netconf, const RuntimeConf &rt,
                          const Context *ctx = nullptr) const {
    return out_call([&](char **out, cni_error **err) {
      return cni_network_add(cfg_.get(), detail::ctx_ptr(ctx), netconf.c_str(),
                             rt.to_json().c_str(), out, err);
    });
  }
  void check_network(const std::string &netconf, const RuntimeConf &rt,
                     const Context *ctx = nullptr) const {
    detail::call([&](cni_error **err) {
      return cni_network_check(cfg_.get(), detail::ctx_ptr(ctx), netconf.c_str(),
                               rt.to_json().c_str(), err);
    });
  }
  void del_network(const std::string &netconf, const RuntimeConf &rt,
                   const Context *ctx = nullptr) const {
    detail::call([&](cni_error **err) {
      return cni_network_del(cfg_.get(), detail::ctx_ptr(ctx), netconf.c_str(),
                             rt.to_json().c_str(), err);
    });
  }

  const cni_config *get() const noexcept { return cfg_.get(); }

 private:
  template <typename F>
  static std::string out_call(F &&f) {
    char *out = nullptr;
    detail::call([&](cni_error **err) { return f(&out, err); });
    return detail::take(out);
  }
  template <typename F>
  static std::optional<std::string> opt_call(F &&f) {
    char *out = nullptr;
    detail::call([&](cni_error **err) { return f(&out, err); });
    if (out == nullptr) return std::nullopt;
    return detail::take(out);
  }
  struct Free {
    void operator()(cni_config *c) const noexcept { cni_config_free(c); }
  };
  std::unique_ptr<cni_config, Free> cfg_;
};

/// Upstream LoadNetworkConf: the network `name` from `dir`, as list JSON text.
inline std::string load_network_conf(const std::string &dir, const std::string &name) {
  char *out = nullptr;
  detail::call([&](cni_error **err) {
    return cni_load_network_conf(dir.c_str(), name.c_str(), &out, err);
  });
  return detail::take(out);
}

/// Upstream ConfFiles: a JSON array of paths.
inline std::string conf_files(const std::string &dir, const std::vector<std::string> &extensions) {
  char *out = nullptr;
  detail::call([&](cni_error **err) {
    return cni_conf_files(dir.c_str(), detail::json_array(extensions).c_str(), &out, err);
  });
  return detail::take(out);
}

/// Upstream ConfListFromConf: list JSON text holding the one plugin.
inline std::string netlist_from_conf(const std::string &netconf) {
  char *out = nullptr;
  detail::call([&](cni_error **err) { return cni_netlist_from_conf(netconf.c_str(), &out, err); });
  return detail::take(out);
}

/// Upstream InjectConf: values_json is a JSON object of top-level keys.
inline std::string inject_conf(const std::string &netconf, const std::string &values_json) {
  char *out = nullptr;
  detail::call([&](cni_error **err) {
    return cni_inject_conf(netconf.c_str(), values_json.c_str(), &out, err);
  });
  return detail::take(out);
}

}  // namespace cni

#endif  // CNIINVOKE_HPP
