/* SPDX-License-Identifier: Apache-2.0 */
/* The watch engine: rewrites a cluster's port table whenever Docker restarts one
 * of its brokers on a new host port, so that running clients follow it. */
#include "watch.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "attached.h"
#include "cluster.h"
#include "paths.h"

#define BACKOFF_FIRST_MS 250
#define BACKOFF_MAX_MS 8000

struct watch {
	docker_t *d; /* for reading the cluster: the event stream holds the other handle */
	const char *name;
	struct attached a; /* when attached: its network and project */
	int attached;
	int gone;
	kshim_err_t err; /* why the watch stopped, when it failed */
};

/* Whether Docker answers at all: a cluster that is not found is only gone then. */
static int
daemon_answers(docker_t *d)
{
	kshim_err_t e = {0};
	long status = 0;

	return docker_request(d, "GET", "/_ping", NULL, &status, NULL, &e) == 0 && status == 200;
}

/* Sync that tells a removed cluster (*gone) apart from other failures. */
static int
sync_or_gone(docker_t *d, const char *name, int *gone, kshim_err_t *err)
{
	static struct cluster c;
	char path[PATH_MAX];
	int updated, hosts;

	*gone = 0;
	if (cluster_load(d, name, &c, err) < 0) {
		*gone = err->code == ENOENT && daemon_answers(d);
		return -1;
	}
	if (c.attached) {
		if (attached_sync(d, &c, path, sizeof(path), &updated, &hosts, err) == 0)
			return 0;
		*gone = err->code == ENOENT && daemon_answers(d);
		return -1;
	}
	if (c.mode != ADVERTISE_INTERNAL) {
		kshim_fail(err, EINVAL,
			   "cluster '%s' advertises localhost: it has no table to keep", name);
		return kshim_hint(err,
				  "clients reach its brokers at their published ports directly");
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

/* For an attached cluster: 1 when a container of its project (any container,
 * without one) started, or a container joined its network, 2 when the network
 * was removed, else 0. */
static int
attached_event_kind(const struct watch *w, const cJSON *ev)
{
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(ev, "Actor"), "Attributes");
	const char *action = event_field(ev, "Action"), *type = event_field(ev, "Type");
	const char *name = event_field(attrs, "name");

	if (strcmp(type, "container") == 0)
		return strcmp(action, "start") == 0 &&
		       (!w->a.project[0] ||
			strcmp(event_field(attrs, COMPOSE_PROJECT_LABEL), w->a.project) == 0);
	if (strcmp(type, "network") != 0 || strcmp(name, w->a.network) != 0)
		return 0;
	return strcmp(action, "connect") == 0 ? 1 : strcmp(action, "destroy") == 0 ? 2 : 0;
}

/* A container of the cluster started (a new port) or went away (the cluster may be gone). */
static int
on_event(void *ctx, const cJSON *ev)
{
	struct watch *w = ctx;
	int kind = w->attached ? attached_event_kind(w, ev) : watch_event_kind(ev);

	if (kind == 0)
		return 0;
	if (sync_or_gone(w->d, w->name, &w->gone, &w->err) == 0)
		return 0;
	return w->gone || kind == 1;
}

/* Container starts and the network's connects and removal, for an attached cluster. */
static cJSON *
attached_filters(void)
{
	static const char *const events[] = {"start", "connect", "destroy"};
	cJSON *f = cJSON_CreateObject(), *types = cJSON_AddArrayToObject(f, "type");
	cJSON *ev = cJSON_AddArrayToObject(f, "event");

	cJSON_AddItemToArray(types, cJSON_CreateString("container"));
	cJSON_AddItemToArray(types, cJSON_CreateString("network"));
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		cJSON_AddItemToArray(ev, cJSON_CreateString(events[i]));
	return f;
}

static cJSON *
event_filters(const struct watch *w)
{
	cJSON *f, *events;
	char label[128];

	if (w->attached)
		return attached_filters();
	f = cJSON_CreateObject();
	snprintf(label, sizeof(label), CLUSTER_LABEL "=%s", w->name);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(f, "label"), cJSON_CreateString(label));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(f, "type"), cJSON_CreateString("container"));
	events = cJSON_AddArrayToObject(f, "event");
	cJSON_AddItemToArray(events, cJSON_CreateString("start"));
	cJSON_AddItemToArray(events, cJSON_CreateString("destroy"));
	return f;
}

/* Errors that pass when Docker is back: it restarted, or the connection dropped. */
static int
retryable(const kshim_err_t *e)
{
	static const int codes[] = {ECONNREFUSED, ENOENT, ECONNRESET, ECONNABORTED, EIO,
				    ETIMEDOUT,	  EPIPE,  EAGAIN,     ENETUNREACH,  EHOSTUNREACH};

	if (e->http_status >= 400 && e->http_status < 500)
		return 0; /* Docker answered, and said no */
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (e->code == codes[i])
			return 1;
	return 0;
}

/* Follows events from since on; returns 0 when the watch is over, -1 when it
 * failed, 1 when the stream was lost and may come back (err says why). */
static int
follow(docker_t *d, struct watch *w, long long since, kshim_err_t *err)
{
	cJSON *f = event_filters(w);
	int rc;

	memset(&w->err, 0, sizeof(w->err));
	rc = docker_events(d, f, since, on_event, w, err);
	cJSON_Delete(f);
	if ((rc < 0 && err->code == EINTR) || docker_cancelled(d)) {
		fprintf(stderr, "kshim: watch ended; cluster '%s' keeps running\n", w->name);
		return 0;
	}
	if (w->gone) {
		fprintf(stderr, "kshim: cluster '%s' was removed; watch ended\n", w->name);
		return 0;
	}
	if (w->err.msg[0])
		*err = w->err;
	else if (rc == 0)
		kshim_fail(err, EPIPE, "Docker at %s closed the event stream", docker_where(d));
	if (retryable(err))
		return 1;
	return kshim_hint(err, "start 'kshim watch --name %s' again once Docker is back", w->name);
}

/* Sleeps ms, in short steps; 1 when the watch was cancelled meanwhile. */
static int
pause_ms(docker_t *d, int ms)
{
	struct timespec step = {0, 50 * 1000 * 1000L};

	for (int slept = 0; slept < ms; slept += 50) {
		if (docker_cancelled(d))
			return 1;
		nanosleep(&step, NULL);
	}
	return docker_cancelled(d);
}

/* Waits for Docker with a growing pause, then resyncs the table; returns 1 to
 * follow again from *since, 0 when the watch is over, -1 when it failed. */
static int
reconnect(docker_t *d, struct watch *w, long long *since, kshim_err_t *err)
{
	kshim_err_t e = *err;

	fprintf(stderr, "kshim: lost Docker's events (%s); reconnecting\n", e.msg);
	for (int ms = BACKOFF_FIRST_MS;; ms = ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ms * 2) {
		int gone;

		if (pause_ms(d, ms)) {
			fprintf(stderr, "kshim: watch ended; cluster '%s' keeps running\n",
				w->name);
			return 0;
		}
		*since = (long long)time(NULL);
		memset(&e, 0, sizeof(e));
		if (sync_or_gone(w->d, w->name, &gone, &e) == 0) {
			fprintf(stderr, "kshim: Docker at %s is back; table resynced\n",
				docker_where(d));
			return 1;
		}
		if (gone) {
			fprintf(stderr, "kshim: cluster '%s' was removed; watch ended\n", w->name);
			return 0;
		}
		if (!retryable(&e)) {
			*err = e;
			return -1;
		}
		fprintf(stderr, "kshim: still no Docker (%s); next try in %d ms\n", e.msg,
			ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ms * 2);
	}
}

int
watch_follow(docker_t *d, const char *name, kshim_err_t *err)
{
	struct watch w = {.name = name};
	long long since = (long long)time(NULL); /* replays what happens during the first sync */
	char path[PATH_MAX];
	int rc;

	if (attached_read(name, &w.a, &w.attached, err) < 0 || docker_open(&w.d, err) < 0)
		return -1;
	rc = watch_sync(w.d, name, err);
	if (rc == 0 && kshim_table_path(name, path, sizeof(path), 0, err) == 0) {
		fprintf(stderr, "kshim: watching cluster '%s' (table %s); Ctrl-C stops watching\n",
			name, path);
		while ((rc = follow(d, &w, since, err)) == 1 &&
		       (rc = reconnect(d, &w, &since, err)) == 1)
			;
	}
	docker_close(w.d);
	return rc;
}
