// The C++17 wrapper (include/cniinvoke.hpp): RAII handles, exceptions with
// status/code/msg/details, std::string results.
#include "cniinvoke.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>

static int failures = 0;
#define CHECK(cond)                                                             \
  do {                                                                          \
    if (!(cond)) {                                                              \
      std::cerr << __FILE__ << ":" << __LINE__ << ": CHECK failed: " #cond "\n"; \
      failures++;                                                               \
    }                                                                           \
  } while (0)

static bool contains(const std::string &hay, const std::string &needle) {
  return hay.find(needle) != std::string::npos;
}

static std::string plugin() { return std::getenv("CNI_TEST_PLUGIN"); }

static std::string debug_file(const std::string &name, const std::string &json) {
  const char *tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp ? tmp : "/tmp") + "/" + name;
  std::ofstream(path) << json;
  return path;
}

static std::string scratch_path(const std::string &name) {
  const char *tmp = std::getenv("TMPDIR");
  return std::string(tmp ? tmp : "/tmp") + "/" + name;
}

static std::string read_all(const std::string &path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

static const std::string NETCONF = R"({"cniVersion":"1.0.0","name":"net","type":"x"})";

int main() {
  CHECK(cni::spec_version() == "1.1.0");
  CHECK(!cni::version().empty());
  CHECK(cni::executable_file_extensions() == "[\"\"]");

  std::string dir = plugin().substr(0, plugin().rfind('/'));
  CHECK(cni::find_in_path("cni-test-plugin", {"/nonexistent", dir}) == plugin());
  try {
    cni::find_in_path("nope", {"/a", "/b"});
    CHECK(false);
  } catch (const cni::Error &e) {
    CHECK(e.status() == cni::Status::NotFound);
    CHECK(e.code() == 0);
    CHECK(e.msg() == "failed to find plugin \"nope\" in path [/a /b]");
  }

  cni::Args args;
  args.command = "ADD";
  args.container_id = "ctr-1";
  args.netns = "/var/run/netns/x";
  args.if_name = "eth0";
  args.path = "/opt/cni/bin";
  args.plugin_args = {{"K", "V \"quoted\""}};
  std::string env = cni::args_as_env(args);
  CHECK(contains(env, "\"CNI_ARGS=K=V \\\"quoted\\\"\""));
  CHECK(cni::args_as_env(std::nullopt) == "null");

  std::string res = cni::exec_plugin_with_result(plugin(), NETCONF, args);
  CHECK(contains(res, "10.1.2.3/24"));
  CHECK(contains(res, "\"cniVersion\":\"1.0.0\""));

  // ExecPlugin: raw stdout for an exact environment; {"environ":[...]}.
  {
    std::string dbg = debug_file("cpp-raw.json", R"({"stdout":"raw \u0000 out"})");
    std::vector<std::string> environ = {"CNI_COMMAND=ADD", "CNI_ARGS=DEBUG=" + dbg};
    std::string out = cni::exec_plugin(plugin(), NETCONF, environ);
    CHECK(out == std::string("raw \0 out", 9));
    CHECK(cni::environ_args_json({"A=\"1\""}) == R"({"environ":["A=\"1\""]})");
    CHECK(cni::args_as_env(cni::environ_args_json(environ)) ==
          "[\"CNI_COMMAND=ADD\",\"CNI_ARGS=DEBUG=" + dbg + "\"]");
    std::string edbg = debug_file("cpp-raw-err.json", R"({"error":{"code":6,"msg":"m","details":"d"}})");
    try {
      cni::exec_plugin(plugin(), "", std::vector<std::string>{"CNI_ARGS=DEBUG=" + edbg});
      CHECK(false);
    } catch (const cni::Error &e) {
      CHECK(e.status() == cni::Status::PluginError);
      CHECK(e.code() == 6 && e.msg() == "m" && e.details() == "d");
      CHECK(e.exit_status() == "exit status 1");
    }
  }

  // Plugin errors become cni::Error with the plugin's code/msg/details.
  cni::Args failing = args;
  failing.plugin_args = {
      {"DEBUG", debug_file("cpp-err.json", R"({"error":{"code":7,"msg":"bad config","details":"d"}})")}};
  try {
    cni::exec_plugin_with_result(plugin(), NETCONF, failing);
    CHECK(false);
  } catch (const cni::Error &e) {
    CHECK(e.status() == cni::Status::PluginError);
    CHECK(e.code() == 7);
    CHECK(e.msg() == "bad config");
    CHECK(e.details() == "d");
    CHECK(std::string(e.what()) == "bad config; d");
    CHECK(contains(e.json(), "\"code\":7"));
  }

  // Exec variants, context, stderr callback.
  cni::Exec def = cni::Exec::default_exec();
  cni::Context ctx;
  ctx.set_trace("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  args.command = "DEL";
  cni::exec_plugin_without_result(plugin(), NETCONF, args, &def, &ctx);
  std::string info = cni::get_version_info(plugin(), &def, &ctx);
  CHECK(contains(info, "\"1.1.0\""));

  // The context's environment: the plugin inherits exactly it.
  {
    std::string rec = scratch_path("cpp-environ.json");
    cni::Args seen = args;
    seen.plugin_args = {{"DEBUG", debug_file("cpp-environ-debug.json", "{\"record\":\"" + rec + "\"}")}};
    cni::Context env_ctx;
    env_ctx.set_environ({"CPP_SNAPSHOT=1", "BARE"});
    cni::exec_plugin_without_result(plugin(), NETCONF, seen, &def, &env_ctx);
    std::string got = read_all(rec);
    CHECK(contains(got, "\"envList\":[\"CPP_SNAPSHOT=1\",\"BARE\",\"CNI_COMMAND=DEL\""));
    CHECK(!contains(got, "\"PATH\""));
    env_ctx.clear_environ();
    cni::exec_plugin_without_result(plugin(), NETCONF, seen, &def, &env_ctx);
    CHECK(contains(read_all(rec), "\"PATH\""));
    for (const std::vector<std::string> &bad :
         {std::vector<std::string>{"A=1", ""}, std::vector<std::string>{std::string("A=\0", 3)}}) {
      try {
        env_ctx.set_environ(bad);
        CHECK(false);
      } catch (const cni::Error &e) {
        CHECK(e.status() == cni::Status::InvalidArgument);
        CHECK(contains(e.msg(), "entry"));
      }
    }
  }

  std::string captured;
  cni::Exec raw = cni::Exec::raw_with_stderr([&](std::string_view s) { captured.append(s); },
                                             R"({"killGraceMs":0})");
  cni::Args noisy = args;
  noisy.plugin_args = {{"DEBUG", debug_file("cpp-stderr.json", R"({"stderr":"from the plugin"})")}};
  cni::exec_plugin_without_result(plugin(), NETCONF, noisy, &raw);
  CHECK(captured == "from the plugin");

  try {
    cni::Exec::raw(R"({"bogus":true})");
    CHECK(false);
  } catch (const cni::Error &e) {
    CHECK(e.status() == cni::Status::InvalidArgument);
    CHECK(contains(e.msg(), "bogus"));
  }

  // Cancel from another thread.
  cni::Args sleepy = args;
  sleepy.plugin_args = {{"DEBUG", debug_file("cpp-sleep.json", R"({"sleepMs":10000})")}};
  cni::Context cancellable;
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cancellable.cancel();
  });
  try {
    cni::exec_plugin_without_result(plugin(), NETCONF, sleepy, nullptr, &cancellable);
    CHECK(false);
  } catch (const cni::Error &e) {
    CHECK(e.status() == cni::Status::Cancelled);
  }
  t.join();
  // Cancelling a parent from another thread ends a call on its child.
  cni::Context parent;
  cni::Context child = parent.child_with_timeout(std::chrono::milliseconds(60000));
  std::thread tp([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    parent.cancel();
  });
  try {
    cni::exec_plugin_without_result(plugin(), NETCONF, sleepy, nullptr, &child);
    CHECK(false);
  } catch (const cni::Error &e) {
    CHECK(e.status() == cni::Status::Cancelled);
    CHECK(e.msg() == "netplugin cancelled: context canceled");
  }
  tp.join();
  try {
    cni::Context deadline = cni::Context::with_timeout(std::chrono::milliseconds(50));
    cni::exec_plugin_without_result(plugin(), NETCONF, sleepy, nullptr, &deadline);
    CHECK(false);
  } catch (const cni::Error &e) {
    CHECK(e.status() == cni::Status::Timeout);
  }

  // Delegation.
  setenv("CNI_PATH", dir.c_str(), 1);
  CHECK(contains(cni::delegate_add("cni-test-plugin", NETCONF), "10.1.2.3/24"));
  cni::delegate_check("cni-test-plugin", NETCONF);
  cni::delegate_del("cni-test-plugin", NETCONF);
  cni::delegate_status("cni-test-plugin", NETCONF);
  cni::delegate_gc("cni-test-plugin", NETCONF);
  unsetenv("CNI_PATH");

  // Result conversion (same version holds with the stub and the real types).
  CHECK(contains(cni::result_convert(res, "1.0.0"), "\"cniVersion\":\"1.0.0\""));

  // A custom exec through the vtable, with userdata freed once.
  static std::atomic<int> freed{0};
  cni_exec_vtable vt{};
  vt.exec_plugin = [](void *, const cni_context *, const char *, const uint8_t *, size_t,
                      const char *const *, cni_buffer *out, cni_error **) -> cni_status {
    static const char r[] = R"({"cniVersion":"1.0.0","ips":[{"address":"198.51.100.1/24"}]})";
    cni_buffer_append(out, reinterpret_cast<const uint8_t *>(r), sizeof r - 1);
    return CNI_STATUS_OK;
  };
  vt.free_userdata = [](void *) { freed++; };
  {
    cni::Exec custom = cni::Exec::custom(vt, nullptr);
    cni::Exec moved = std::move(custom);
    CHECK(contains(cni::exec_plugin_with_result("/fake", NETCONF, args, &moved), "198.51.100.1/24"));
  }
  CHECK(freed == 1);

  // cni::Config: a list ADD / cached result / CHECK / DEL on the test
  // plugin, and a failing plugin's error with its cause.
  {
    const char *tmp = std::getenv("TMPDIR");
    std::string cache = std::string(tmp ? tmp : "/tmp") + "/wrapper-cache";
    cni::Config cfg({dir}, cache);
    const std::string list =
        R"({"cniVersion":"1.0.0","name":"wnet","plugins":[{"type":"cni-test-plugin"}]})";
    cni::RuntimeConf rt;
    rt.container_id = "ctr-w";
    rt.netns = "/var/run/netns/w";
    rt.if_name = "eth0";
    std::string added = cfg.add_network_list(list, rt);
    CHECK(contains(added, "\"cniVersion\":\"1.0.0\""));
    CHECK(cfg.network_list_cached_result(list, rt) == std::optional<std::string>(added));
    cfg.check_network_list(list, rt);
    CHECK(contains(cfg.cached_attachments("ctr-w"), "\"network\":\"wnet\""));
    cfg.del_network_list(list, rt);
    CHECK(!cfg.network_list_cached_result(list, rt).has_value());
    CHECK(cfg.validate_network_list(list) == "[]");

    const std::string failing =
        R"({"cniVersion":"1.0.0","name":"wfail","plugins":[{"type":"cni-test-plugin"}]})";
    rt.args = {{"DEBUG", debug_file("wrapper-fail.json",
                                    R"({"error":{"code":11,"msg":"try later"}})")}};
    try {
      cfg.add_network_list(failing, rt);
      CHECK(false);
    } catch (const cni::Error &e) {
      CHECK(e.status() == cni::Status::PluginError);
      CHECK(e.msg() == "plugin type=\"cni-test-plugin\" failed (add): try later");
      CHECK(e.cause().has_value());
      CHECK(e.cause() && e.cause()->code == 11 && e.cause()->msg == "try later");
    }
    CHECK(contains(cni::inject_conf(R"({"type":"t"})", R"({"z":"<"})"), "\\u003c"));
  }

  if (failures) {
    std::cerr << failures << " check(s) failed\n";
    return 1;
  }
  std::cout << "all checks passed\n";
  return 0;
}
