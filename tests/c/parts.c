/* Configurations as parts (src/ffi/parts.rs): cni_conf_parts parses and
 * loads into parts, cni_network_list_call runs the list and one-plugin
 * operations on parts. An edited plugin type is what finds the plugin,
 * while the plugin and the cache get the bytes as they are. */
#include "cni_test.h"

#include <libgen.h>
#include <sys/stat.h>

static char plugin_dir[4096];
static char cache_dir[4096];
static char paths_json[8192];

/* {"cniVersion":"1.0.0","name":"pnet","plugins":[{"type":"elsewhere"}]} */
#define LIST_B64 "eyJjbmlWZXJzaW9uIjoiMS4wLjAiLCJuYW1lIjoicG5ldCIsInBsdWdpbnMiOlt7InR5cGUiOiJlbHNld2hlcmUifV19"
/* {"type":"elsewhere"} */
#define PLUGIN_B64 "eyJ0eXBlIjoiZWxzZXdoZXJlIn0="
/* {"cniVersion":"1.0.0","name":"pone","type":"elsewhere"} */
#define ONE_B64 "eyJjbmlWZXJzaW9uIjoiMS4wLjAiLCJuYW1lIjoicG9uZSIsInR5cGUiOiJlbHNld2hlcmUifQ=="

/* The list above with its plugin's type edited to the test plugin. */
static const char *EDITED =
    "{\"name\":\"pnet\",\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"cni-test-plugin\","
    "\"bytes\":\"" PLUGIN_B64 "\"}],\"bytes\":\"" LIST_B64 "\"}";

static const char *RT = "{\"containerId\":\"ctr-p\",\"netns\":\"/var/run/netns/p\","
                        "\"ifName\":\"eth0\"}";

static void setup(void) {
  char copy[4096];
  snprintf(copy, sizeof copy, "%s", test_plugin());
  snprintf(plugin_dir, sizeof plugin_dir, "%s", dirname(copy));
  snprintf(cache_dir, sizeof cache_dir, "%s/cache", scratch_dir());
  snprintf(paths_json, sizeof paths_json, "[\"%s\"]", plugin_dir);
}

static void test_parse_to_parts(void) {
  cni_error *err = NULL;
  char *parts = NULL;
  CHECK_STATUS(cni_conf_parts("confListFromBytes", "{\"bytes\":\"" LIST_B64 "\"}", &parts, &err),
               CNI_STATUS_OK, err);
  CHECK_STR(parts, "{\"name\":\"pnet\",\"cniVersion\":\"1.0.0\",\"disableCheck\":false,"
                   "\"disableGC\":false,\"loadOnlyInlinedPlugins\":false,\"plugins\":[{\"type\":"
                   "\"elsewhere\",\"name\":\"\",\"cniVersion\":\"\",\"capabilities\":{},\"bytes\":"
                   "\"" PLUGIN_B64 "\"}],\"bytes\":\"" LIST_B64 "\"}");
  cni_string_free(parts);

  CHECK_STATUS(cni_conf_parts("confFromBytes", "{\"bytes\":\"e30=\"}", &parts, &err),
               CNI_STATUS_DECODE_ERROR, err);
  CHECK_STR(cni_error_msg(err), "error parsing configuration: missing 'type'");
  CHECK(parts == NULL);
  cni_error_free(err);
  err = NULL;

  CHECK_STATUS(cni_conf_parts("nope", "{}", &parts, &err), CNI_STATUS_INVALID_ARGUMENT, err);
  CHECK_STR(cni_error_msg(err), "argument `op`: unknown operation \"nope\"");
  cni_error_free(err);
  CHECK_STATUS(cni_conf_parts("confFromBytes", "{\"bytes\":\"!!\"}", &parts, &err),
               CNI_STATUS_INVALID_ARGUMENT, err);
  cni_error_free(err);
  CHECK_STATUS(cni_conf_parts("confFromBytes", "{\"bogus\":1}", &parts, &err),
               CNI_STATUS_INVALID_ARGUMENT, err);
  cni_error_free(err);
}

/* A list on disk with a sub-plugin file beside it: the parts carry both
 * plugins, which the list's text alone (cni_load_network_conf) cannot. */
static void test_load_with_sub_plugins(void) {
  char dir[2048], sub[4096], arg[8192];
  snprintf(dir, sizeof dir, "%s/confs", scratch_dir());
  snprintf(sub, sizeof sub, "%s/subnet", dir);
  CHECK(mkdir(dir, 0700) == 0 && mkdir(sub, 0700) == 0);
  debug_file("confs/a.conflist",
             "{\"cniVersion\":\"1.0.0\",\"name\":\"subnet\",\"plugins\":[{\"type\":\"first\"}]}");
  debug_file("confs/subnet/10-more.conf", "{\"type\":\"second\"}");
  snprintf(arg, sizeof arg, "{\"dir\":\"%s\",\"name\":\"subnet\"}", dir);
  cni_error *err = NULL;
  char *parts = NULL;
  CHECK_STATUS(cni_conf_parts("loadNetworkConf", arg, &parts, &err), CNI_STATUS_OK, err);
  CHECK_CONTAINS(parts, "{\"type\":\"first\"");
  CHECK_CONTAINS(parts, "{\"type\":\"second\"");
  cni_string_free(parts);

  snprintf(arg, sizeof arg, "{\"dir\":\"%s\",\"name\":\"none\"}", dir);
  CHECK_STATUS(cni_conf_parts("loadNetworkConf", arg, &parts, &err), CNI_STATUS_NOT_FOUND, err);
  char want[8192];
  snprintf(want, sizeof want, "no net configuration with name \"none\" in %s", dir);
  CHECK_STR(cni_error_msg(err), want);
  cni_error_free(err);
}

static void test_edited_list(void) {
  cni_config *cfg = NULL;
  cni_error *err = NULL;
  CHECK_STATUS(cni_config_new(paths_json, cache_dir, NULL, &cfg, &err), CNI_STATUS_OK, err);

  char *result = NULL;
  CHECK_STATUS(cni_network_list_call(cfg, NULL, "add", EDITED, RT, &result, &err), CNI_STATUS_OK,
               err);
  CHECK_CONTAINS(result, "\"cniVersion\":\"1.0.0\"");
  cni_string_free(result);

  /* The cache holds the list's bytes as given. */
  char *cached = NULL;
  CHECK_STATUS(cni_network_list_call(cfg, NULL, "cachedConfig", EDITED, RT, &cached, &err),
               CNI_STATUS_OK, err);
  CHECK_CONTAINS(cached, "\"config\":\"{\\\"cniVersion\\\":\\\"1.0.0\\\",\\\"name\\\":\\\"pnet\\\","
                         "\\\"plugins\\\":[{\\\"type\\\":\\\"elsewhere\\\"}]}\"");
  cni_string_free(cached);
  CHECK_STATUS(cni_network_list_call(cfg, NULL, "cachedResult", EDITED, RT, &cached, &err),
               CNI_STATUS_OK, err);
  CHECK(cached != NULL);
  cni_string_free(cached);

  CHECK_STATUS(cni_network_list_call(cfg, NULL, "check", EDITED, RT, NULL, &err), CNI_STATUS_OK,
               err);
  CHECK_STATUS(cni_network_list_call(cfg, NULL, "status", EDITED, NULL, NULL, &err),
               CNI_STATUS_OK, err);
  char *caps = NULL;
  CHECK_STATUS(cni_network_list_call(cfg, NULL, "validate", EDITED, NULL, &caps, &err),
               CNI_STATUS_OK, err);
  CHECK_STR(caps, "[]");
  cni_string_free(caps);
  CHECK_STATUS(cni_network_list_call(cfg, NULL, "del", EDITED, RT, NULL, &err), CNI_STATUS_OK,
               err);
  CHECK_STATUS(cni_network_list_call(cfg, NULL, "cachedResult", EDITED, RT, &cached, &err),
               CNI_STATUS_OK, err);
  CHECK(cached == NULL);
  CHECK_STATUS(cni_network_list_call(cfg, NULL, "gc", EDITED, NULL, NULL, &err), CNI_STATUS_OK,
               err);

  /* capabilityArgsGo: malformed text is refused before anything runs. */
  CHECK_STATUS(cni_network_list_call(cfg, NULL, "add", EDITED,
                                     "{\"containerId\":\"ctr-q\",\"ifName\":\"eth0\","
                                     "\"capabilityArgsGo\":{\"mac\":\"{nope\"}}",
                                     &result, &err),
               CNI_STATUS_INVALID_ARGUMENT, err);
  CHECK_CONTAINS(cni_error_msg(err), "capabilityArgsGo[\"mac\"] is not JSON");
  cni_error_free(err);
  err = NULL;

  /* The bytes' own type is not what is run. */
  const char *unedited = "{\"name\":\"pnet\",\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":"
                         "\"elsewhere\",\"bytes\":\"" PLUGIN_B64 "\"}],\"bytes\":\"" LIST_B64 "\"}";
  CHECK_STATUS(cni_network_list_call(cfg, NULL, "add", unedited, RT, &result, &err),
               CNI_STATUS_NOT_FOUND, err);
  CHECK(result == NULL);
  CHECK_CONTAINS(cni_error_msg(err), "failed to find plugin \"elsewhere\"");
  cni_error_free(err);
  err = NULL;
  cni_config_free(cfg);
}

static void test_single_plugin_parts(void) {
  cni_config *cfg = NULL;
  cni_error *err = NULL;
  CHECK_STATUS(cni_config_new(paths_json, cache_dir, NULL, &cfg, &err), CNI_STATUS_OK, err);
  const char *one = "{\"type\":\"cni-test-plugin\",\"name\":\"pone\",\"cniVersion\":\"1.0.0\","
                    "\"bytes\":\"" ONE_B64 "\"}";
  char *result = NULL;
  CHECK_STATUS(cni_network_list_call(cfg, NULL, "networkAdd", one, RT, &result, &err),
               CNI_STATUS_OK, err);
  CHECK(result != NULL);
  char *cached = NULL;
  CHECK_STATUS(cni_network_list_call(cfg, NULL, "networkCachedResult", one, RT, &cached, &err),
               CNI_STATUS_OK, err);
  CHECK_STR(cached, result);
  cni_string_free(cached);
  cni_string_free(result);
  CHECK_STATUS(cni_network_list_call(cfg, NULL, "networkCheck", one, RT, NULL, &err),
               CNI_STATUS_OK, err);
  CHECK_STATUS(cni_network_list_call(cfg, NULL, "networkDel", one, RT, NULL, &err), CNI_STATUS_OK,
               err);
  char *caps = NULL;
  CHECK_STATUS(cni_network_list_call(cfg, NULL, "networkValidate", one, NULL, &caps, &err),
               CNI_STATUS_OK, err);
  CHECK_STR(caps, "[]");
  cni_string_free(caps);

  /* Bad arguments. */
  CHECK_STATUS(cni_network_list_call(cfg, NULL, "fly", EDITED, RT, &result, &err),
               CNI_STATUS_INVALID_ARGUMENT, err);
  CHECK_STR(cni_error_msg(err), "argument `op`: unknown operation \"fly\"");
  cni_error_free(err);
  CHECK_STATUS(cni_network_list_call(cfg, NULL, "add", "{\"plugins\":3}", RT, &result, &err),
               CNI_STATUS_INVALID_ARGUMENT, err);
  cni_error_free(err);
  CHECK_STATUS(cni_network_list_call(cfg, NULL, "add", EDITED, RT, NULL, &err),
               CNI_STATUS_INVALID_ARGUMENT, err);
  cni_error_free(err);
  CHECK_STATUS(cni_network_list_call(NULL, NULL, "add", EDITED, RT, &result, &err),
               CNI_STATUS_INVALID_ARGUMENT, err);
  cni_error_free(err);
  cni_config_free(cfg);
}

int main(void) {
  setup();
  test_parse_to_parts();
  test_load_with_sub_plugins();
  test_edited_list();
  test_single_plugin_parts();
  TEST_DONE();
}
