/* cni_set_log_callback: one JSON event per plugin run and per list
 * operation, filtered by level, with the failure's code and exit status;
 * NULL turns it off (no call after it returns); callbacks from several
 * threads at once while another thread swaps the callback. */
#include "cni_test.h"

#include <libgen.h>
#include <pthread.h>

static char plugin_dir[4096];
static char cache_dir[4096];
static char paths_json[8192];

static const char *LIST =
    "{\"cniVersion\":\"1.0.0\",\"name\":\"lognet\",\"plugins\":["
    "{\"type\":\"cni-test-plugin\"},{\"type\":\"cni-test-plugin\"}]}";

static const char *FAILING =
    "{\"cniVersion\":\"1.0.0\",\"name\":\"lognet\",\"plugins\":["
    "{\"type\":\"cni-test-plugin\",\"failOn\":[\"ADD\"],\"failCode\":7}]}";

/* What the callback saw. */
#define MAX_EVENTS 256
struct seen {
  pthread_mutex_t mu;
  int count;
  int levels[MAX_EVENTS];
  char *json[MAX_EVENTS];
};

static void on_event(void *userdata, int level, const char *event_json) {
  struct seen *s = userdata;
  pthread_mutex_lock(&s->mu);
  if (s->count < MAX_EVENTS) {
    s->levels[s->count] = level;
    s->json[s->count] = strdup(event_json);
  }
  s->count++;
  pthread_mutex_unlock(&s->mu);
}

static void reset(struct seen *s) {
  pthread_mutex_lock(&s->mu);
  for (int i = 0; i < s->count && i < MAX_EVENTS; i++) free(s->json[i]);
  s->count = 0;
  pthread_mutex_unlock(&s->mu);
}

static void setup(void) {
  char copy[4096];
  snprintf(copy, sizeof copy, "%s", test_plugin());
  snprintf(plugin_dir, sizeof plugin_dir, "%s", dirname(copy));
  snprintf(cache_dir, sizeof cache_dir, "%s/cache", scratch_dir());
  snprintf(paths_json, sizeof paths_json, "[\"%s\"]", plugin_dir);
}

static char *rt_for(const char *ctr) {
  char *rt = malloc(512);
  snprintf(rt, 512, "{\"containerId\":\"%s\",\"netns\":\"/var/run/netns/x\",\"ifName\":\"eth0\"}",
           ctr);
  return rt;
}

static void test_events_of_a_list_add(cni_config *cfg) {
  struct seen s = {.mu = PTHREAD_MUTEX_INITIALIZER};
  cni_error *err = NULL;
  char *rt = rt_for("ctr-log");
  cni_set_log_callback(on_event, &s, CNI_LOG_LEVEL_DEBUG);
  char *result = NULL;
  CHECK_STATUS(cni_network_list_add(cfg, NULL, LIST, rt, &result, &err), CNI_STATUS_OK, err);
  cni_string_free(result);
  cni_set_log_callback(NULL, NULL, 0);

  CHECK(s.count == 3);
  if (s.count == 3) {
    for (int i = 0; i < 2; i++) {
      CHECK(s.levels[i] == CNI_LOG_LEVEL_DEBUG);
      CHECK_CONTAINS(s.json[i], "{\"kind\":\"plugin\",\"verb\":\"ADD\","
                                "\"plugin_type\":\"cni-test-plugin\",\"plugin_path\":\"");
      CHECK_CONTAINS(s.json[i], "\"network\":\"lognet\",\"container_id\":\"ctr-log\","
                                "\"ifname\":\"eth0\",\"duration_us\":");
      CHECK_CONTAINS(s.json[i], "\"outcome\":\"ok\",\"result_version\":\"1.0.0\"}");
      CHECK_CONTAINS(s.json[i], plugin_dir);
    }
    CHECK(s.levels[2] == CNI_LOG_LEVEL_INFO);
    CHECK_CONTAINS(s.json[2], "{\"kind\":\"list\",\"verb\":\"ADD\",\"network\":\"lognet\","
                              "\"container_id\":\"ctr-log\",\"ifname\":\"eth0\"");
  }
  reset(&s);

  /* INFO: the list operation only. */
  cni_set_log_callback(on_event, &s, CNI_LOG_LEVEL_INFO);
  CHECK_STATUS(cni_network_list_del(cfg, NULL, LIST, rt, &err), CNI_STATUS_OK, err);
  cni_set_log_callback(NULL, NULL, 0);
  CHECK(s.count == 1);
  if (s.count == 1) {
    CHECK(s.levels[0] == CNI_LOG_LEVEL_INFO);
    CHECK_CONTAINS(s.json[0], "{\"kind\":\"list\",\"verb\":\"DEL\"");
  }
  reset(&s);

  /* Off: nothing. */
  CHECK_STATUS(cni_network_list_add(cfg, NULL, LIST, rt, &result, &err), CNI_STATUS_OK, err);
  cni_string_free(result);
  CHECK_STATUS(cni_network_list_del(cfg, NULL, LIST, rt, &err), CNI_STATUS_OK, err);
  CHECK(s.count == 0);
  free(rt);
}

static void test_a_failure(cni_config *cfg) {
  struct seen s = {.mu = PTHREAD_MUTEX_INITIALIZER};
  cni_error *err = NULL;
  char *rt = rt_for("ctr-fail");
  cni_set_log_callback(on_event, &s, CNI_LOG_LEVEL_WARN);
  char *result = NULL;
  CHECK_STATUS(cni_network_list_add(cfg, NULL, FAILING, rt, &result, &err),
               CNI_STATUS_PLUGIN_ERROR, err);
  cni_set_log_callback(NULL, NULL, 0);
  CHECK(s.count == 2);
  if (s.count == 2) {
    CHECK(s.levels[0] == CNI_LOG_LEVEL_WARN && s.levels[1] == CNI_LOG_LEVEL_WARN);
    CHECK_CONTAINS(s.json[0], "{\"kind\":\"plugin\",\"verb\":\"ADD\"");
    CHECK_CONTAINS(s.json[0], "\"outcome\":\"error\",\"error_status\":\"PluginError\","
                              "\"error_code\":7,\"error_text\":\"");
    CHECK_CONTAINS(s.json[0], "\"exit_status\":\"exit status 1\"}");
    CHECK_CONTAINS(s.json[1], "{\"kind\":\"list\",\"verb\":\"ADD\"");
    /* The list event's text is the error the caller got, JSON-escaped. */
    CHECK_CONTAINS(cni_error_msg(err), "plugin type=\"cni-test-plugin\" failed (add): ");
    CHECK_CONTAINS(s.json[1],
                   "\"error_text\":\"plugin type=\\\"cni-test-plugin\\\" failed (add): ");
  }
  cni_error_free(err);
  reset(&s);
  free(rt);
}

struct worker {
  cni_config *cfg;
  char ctr[32];
  int failures;
};

static void *run_worker(void *arg) {
  struct worker *w = arg;
  char *rt = rt_for(w->ctr);
  for (int i = 0; i < 5; i++) {
    char *result = NULL;
    if (cni_network_list_add(w->cfg, NULL, LIST, rt, &result, NULL) != CNI_STATUS_OK) w->failures++;
    cni_string_free(result);
    if (cni_network_list_del(w->cfg, NULL, LIST, rt, NULL) != CNI_STATUS_OK) w->failures++;
  }
  free(rt);
  return NULL;
}

/* Four threads run lists while the main thread swaps the callback between
 * two collectors and off; after the last NULL nothing more arrives. */
static void test_threads(cni_config *cfg) {
  struct seen a = {.mu = PTHREAD_MUTEX_INITIALIZER};
  struct seen b = {.mu = PTHREAD_MUTEX_INITIALIZER};
  struct worker w[4];
  pthread_t t[4];
  cni_set_log_callback(on_event, &a, CNI_LOG_LEVEL_DEBUG);
  for (int i = 0; i < 4; i++) {
    w[i].cfg = cfg;
    w[i].failures = 0;
    snprintf(w[i].ctr, sizeof w[i].ctr, "ctr-thread-%d", i);
    CHECK(pthread_create(&t[i], NULL, run_worker, &w[i]) == 0);
  }
  for (int i = 0; i < 20; i++) {
    cni_set_log_callback(on_event, i % 2 ? &a : &b, CNI_LOG_LEVEL_DEBUG);
    usleep(2000);
    if (i % 5 == 4) cni_set_log_callback(NULL, NULL, 0);
  }
  cni_set_log_callback(on_event, &a, CNI_LOG_LEVEL_DEBUG);
  for (int i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    CHECK(w[i].failures == 0);
  }
  cni_set_log_callback(NULL, NULL, 0);
  int seen_a = a.count, seen_b = b.count;
  CHECK(seen_a + seen_b > 0);
  struct worker last = {.cfg = cfg, .ctr = "ctr-after", .failures = 0};
  run_worker(&last);
  CHECK(last.failures == 0);
  CHECK(a.count == seen_a && b.count == seen_b);
  reset(&a);
  reset(&b);
}

int main(void) {
  setup();
  cni_config *cfg = NULL;
  cni_error *err = NULL;
  CHECK_STATUS(cni_config_new(paths_json, cache_dir, NULL, &cfg, &err), CNI_STATUS_OK, err);
  test_events_of_a_list_add(cfg);
  test_a_failure(cfg);
  test_threads(cfg);
  cni_config_free(cfg);
  TEST_DONE();
}
