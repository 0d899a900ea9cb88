/* The watch engine: rewrites a cluster's port table whenever Docker restarts one
 * of its brokers on a new host port, so that running clients follow it. */
#include "watch.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cluster.h"
#include "paths.h"


struct watch {
	docker_t *d; /* for reading the cluster: the event stream holds the other handle */
	const char *name;
	int gone;
	kshim_err_t err; /* why the watch stopped, when it failed */
};

/* Sync that tells a removed cluster (*gone) apart from other failures. */
static int
sync_or_gone(docker_t *d, const char *name, int *gone, kshim_err_t *err)
{
	struct cluster c;
	char path[PATH_MAX];
	int updated;

	*gone = 0;
	if (cluster_load(d, name, &c, err) < 0) {
		*gone = err->code == ENOENT;
		return -1;
	}
	if (c.mode != ADVERTISE_INTERNAL) {
		kshim_fail(err, EINVAL, "cluster '%s' advertises localhost: it has no table to keep",
			   name);
		return kshim_hint(err, "clients reach its brokers at their published ports directly");
	}
	if (cluster_table_sync(&c, path, sizeof(path), &updated, err) < 0)
		return -1;
	if (path[0])
		return 0;
	for (int i = 0; i < c.n; i++)
		if (!c.node[i].host_port)
			return 0; /* a stopped node: written when it starts */
	if (cluster_table_write(&c, path, sizeof(path), err) < 0)
		return -1;
	fprintf(stderr, "kshim: %s had no table: wrote %s\n", name, path);
	return 0;
}

int
watch_sync(docker_t *d, const char *name, kshim_err_t *err)
{
	int gone;

	return sync_or_gone(d, name, &gone, err);
}

static const char *
event_field(const cJSON *ev, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ev, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

int
watch_event_kind(const cJSON *ev)
{
	const char *action = event_field(ev, "Action");

	if (strcmp(event_field(ev, "Type"), "container") != 0)
		return 0;
	return strcmp(action, "start") == 0 ? 1 : strcmp(action, "destroy") == 0 ? 2 : 0;
}

/* A container of the cluster started (a new port) or went away (the cluster may be gone). */
static int
on_event(void *ctx, const cJSON *ev)
{
	struct watch *w = ctx;
	int kind = watch_event_kind(ev);

	if (kind == 0)
		return 0;
	if (sync_or_gone(w->d, w->name, &w->gone, &w->err) == 0)
		return 0;
	return w->gone || kind == 1;
}

static cJSON *
event_filters(const char *name)
{
	cJSON *f = cJSON_CreateObject(), *events;
	char label[128];

	snprintf(label, sizeof(label), CLUSTER_LABEL "=%s", name);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(f, "label"), cJSON_CreateString(label));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(f, "type"), cJSON_CreateString("container"));
	events = cJSON_AddArrayToObject(f, "event");
	cJSON_AddItemToArray(events, cJSON_CreateString("start"));
	cJSON_AddItemToArray(events, cJSON_CreateString("destroy"));
	return f;
}

/* Follows events from since on; returns how the stream ended. */
static int
follow(docker_t *d, struct watch *w, long long since, kshim_err_t *err)
{
	cJSON *f = event_filters(w->name);
	int rc = docker_events(d, f, since, on_event, w, err);

	cJSON_Delete(f);
	if (rc < 0 && err->code == EINTR) {
		fprintf(stderr, "kshim: watch ended; cluster '%s' keeps running\n", w->name);
		return 0;
	}
	if (rc < 0)
		return -1;
	if (w->gone) {
		fprintf(stderr, "kshim: cluster '%s' was removed; watch ended\n", w->name);
		return 0;
	}
	if (w->err.msg[0]) {
		*err = w->err;
		return -1;
	}
	kshim_fail(err, EPIPE, "Docker at %s closed the event stream", docker_where(d));
	return kshim_hint(err, "start 'kshim watch --name %s' again once Docker is back", w->name);
}

int
watch_follow(docker_t *d, const char *name, kshim_err_t *err)
{
	struct watch w = {.name = name};
	long long since = (long long)time(NULL); /* replays what happens during the first sync */
	char path[PATH_MAX];
	int rc;

	if (docker_open(&w.d, err) < 0)
		return -1;
	rc = watch_sync(w.d, name, err);
	if (rc == 0 && kshim_table_path(name, path, sizeof(path), 0, err) == 0) {
		fprintf(stderr, "kshim: watching cluster '%s' (table %s); Ctrl-C stops watching\n",
			name, path);
		rc = follow(d, &w, since, err);
	}
	docker_close(w.d);
	return rc;
}
