/* SPDX-License-Identifier: Apache-2.0 */
/* The kubeconfig as kubectl reads it: the files $KUBECONFIG lists (else
 * ~/.kube/config), each parsed with libyaml into JSON, its relative paths made
 * absolute against its directory, then merged, the first file to name an entry
 * or a current-context winning. */
#include "internal.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "../cleanup.h"

#define DEPTH_MAX 64

static const char *const lists[] = {"clusters", "users", "contexts"};
static const char *const fields[] = {"cluster", "user", "context"};

static cJSON *node_json(yaml_document_t *doc, yaml_node_t *n, int depth);

static cJSON *
scalar_json(const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;

	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (!*v || strcmp(v, "null") == 0 || strcmp(v, "~") == 0))
		return cJSON_CreateNull();
	return cJSON_CreateString(v);
}

static cJSON *
mapping_json(yaml_document_t *doc, yaml_node_t *n, int depth)
{
	cleanup_json cJSON *o = cJSON_CreateObject();

	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; o && p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		cleanup_json cJSON *v =
		    node_json(doc, yaml_document_get_node(doc, p->value), depth + 1);
		if (!k || k->type != YAML_SCALAR_NODE || !v)
			return NULL;
		cJSON_AddItemToObject(o, (const char *)k->data.scalar.value, steal_pointer(&v));
	}
	return steal_pointer(&o);
}

static cJSON *
sequence_json(yaml_document_t *doc, yaml_node_t *n, int depth)
{
	cleanup_json cJSON *a = cJSON_CreateArray();

	for (yaml_node_item_t *i = n->data.sequence.items.start;
	     a && i < n->data.sequence.items.top; i++) {
		cJSON *v = node_json(doc, yaml_document_get_node(doc, *i), depth + 1);
		if (!v)
			return NULL;
		cJSON_AddItemToArray(a, v);
	}
	return steal_pointer(&a);
}

/* NULL for what JSON cannot hold: a key that is not text, or nesting deeper
 * than any kubeconfig (aliases can make a document loop). */
static cJSON *
node_json(yaml_document_t *doc, yaml_node_t *n, int depth)
{
	if (!n || depth > DEPTH_MAX)
		return NULL;
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return scalar_json(n);
	case YAML_MAPPING_NODE:
		return mapping_json(doc, n, depth);
	case YAML_SEQUENCE_NODE:
		return sequence_json(doc, n, depth);
	default:
		return NULL;
	}
}

static int
yaml_fail(const yaml_parser_t *p, const char *path, kshim_err_t *err)
{
	const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;

	kshim_fail(err, EINVAL, "kubeconfig %s:%zu: malformed YAML: %s%s%s", path, m->line + 1,
		   p->context ? p->context : "", p->context ? ", " : "",
		   p->problem ? p->problem : "cannot parse");
	return kshim_hint(err, "fix the file, or leave it out of KUBECONFIG");
}

/* The first document of path as JSON; an empty file is an empty object. */
static int
parse_file(FILE *f, const char *path, cJSON **out, kshim_err_t *err)
{
	yaml_parser_t p;
	yaml_document_t doc;
	yaml_node_t *root;
	int rc = 0;

	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, f);
	if (!yaml_parser_load(&p, &doc)) {
		rc = yaml_fail(&p, path, err);
		yaml_parser_delete(&p);
		return rc;
	}
	root = yaml_document_get_root_node(&doc);
	*out = root ? node_json(&doc, root, 0) : cJSON_CreateObject();
	if (!cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		rc = kshim_fail(err, EINVAL,
				"kubeconfig %s: not a kubeconfig (no mapping at the top)", path);
		kshim_hint(err, "fix the file, or leave it out of KUBECONFIG");
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&p);
	return rc;
}

/* Makes the path at key absolute against dir, as kubectl does; with
 * only_paths, a bare command name (no '/') is left for PATH to find. */
static void
resolve(cJSON *obj, const char *key, const char *dir, int only_paths)
{
	const char *v = kubeconfig_str(obj, key);
	char path[PATH_MAX];

	if (!v || !*v || v[0] == '/' || (only_paths && !strchr(v, '/')))
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, v);
	cJSON_ReplaceItemInObjectCaseSensitive(obj, key, cJSON_CreateString(path));
}

static void
resolve_entry(cJSON *entry, int kind, const char *dir)
{
	if (kind == 0) {
		resolve(entry, "certificate-authority", dir, 0);
	} else if (kind == 1) {
		resolve(entry, "client-certificate", dir, 0);
		resolve(entry, "client-key", dir, 0);
		resolve(entry, "tokenFile", dir, 0);
		resolve(cJSON_GetObjectItemCaseSensitive(entry, "exec"), "command", dir, 1);
	}
}

/* The absolute directory of path. */
static void
dir_of(const char *path, char *dir, size_t len)
{
	char copy[PATH_MAX], cwd[PATH_MAX];
	const char *d;

	snprintf(copy, sizeof(copy), "%s", path);
	d = dirname(copy);
	if (d[0] == '/' || !getcwd(cwd, sizeof(cwd)) ||
	    (size_t)snprintf(dir, len, "%s/%s", cwd, d) >= len)
		snprintf(dir, len, "%s", d);
}

/* Marks each entry of one file with the file and resolves its paths. */
static void
prepare(cJSON *file, const char *path)
{
	char dir[PATH_MAX];
	const cJSON *e;

	dir_of(path, dir, sizeof(dir));
	for (int kind = 0; kind < 3; kind++)
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(file, lists[kind]))
		{
			cJSON *f = cJSON_GetObjectItemCaseSensitive(e, fields[kind]);
			if (!cJSON_IsObject(f))
				continue;
			cJSON_AddStringToObject(f, KUBE_ORIGIN, path);
			resolve_entry(f, kind, dir);
		}
}

/* Moves into cfg the entries of file whose names cfg does not have yet. */
static void
merge(cJSON *cfg, cJSON *file)
{
	const char *cur = kubeconfig_str(file, "current-context");

	if (cur && *cur && !kubeconfig_str(cfg, "current-context"))
		cJSON_AddStringToObject(cfg, "current-context", cur);
	for (int kind = 0; kind < 3; kind++) {
		cJSON *from = cJSON_GetObjectItemCaseSensitive(file, lists[kind]);
		cJSON *to = cJSON_GetObjectItemCaseSensitive(cfg, lists[kind]);
		cJSON *e = cJSON_IsArray(from) ? from->child : NULL;
		while (e) {
			cJSON *next = e->next;
			const char *name = kubeconfig_str(e, "name");
			if (name && !kubeconfig_entry(cfg, lists[kind], name, fields[kind]))
				cJSON_AddItemToArray(to, cJSON_DetachItemViaPointer(from, e));
			e = next;
		}
	}
}

/* Reads one file into cfg; *read is set when it exists. A file KUBECONFIG
 * lists that does not exist is passed over, as kubectl does. */
static int
load_file(cJSON *cfg, const char *path, int *read, kshim_err_t *err)
{
	FILE *f = fopen(path, "re");
	cJSON *file = NULL;
	int rc;

	if (!f) {
		if (errno == ENOENT)
			return 0;
		return kshim_fail(err, errno, "cannot read kubeconfig %s: %s", path,
				  strerror(errno));
	}
	rc = parse_file(f, path, &file, err);
	fclose(f);
	if (rc < 0)
		return -1;
	*read = 1;
	prepare(file, path);
	merge(cfg, file);
	cJSON_Delete(file);
	return 0;
}

static int
default_files(char *files, size_t len, kshim_err_t *err)
{
	const char *env = getenv("KUBECONFIG"), *home = getenv("HOME");

	if (env && *env)
		snprintf(files, len, "%s", env);
	else if (home && *home)
		snprintf(files, len, "%s/.kube/config", home);
	else
		return kshim_fail(err, ENOENT, "no kubeconfig: neither KUBECONFIG nor HOME is set");
	return 0;
}

static cJSON *
empty_config(void)
{
	cJSON *cfg = cJSON_CreateObject();

	for (int kind = 0; cfg && kind < 3; kind++)
		cJSON_AddArrayToObject(cfg, lists[kind]);
	return cfg;
}

int
kubeconfig_load(cJSON **cfg, char *files, size_t len, kshim_err_t *err)
{
	char list[PATH_MAX * 4], *save = NULL;
	int read = 0, rc = 0;

	if (default_files(files, len, err) < 0)
		return -1;
	snprintf(list, sizeof(list), "%s", files);
	if (!(*cfg = empty_config()))
		return kshim_fail(err, ENOMEM, "out of memory");
	for (char *p = strtok_r(list, ":", &save); p; p = strtok_r(NULL, ":", &save))
		if ((rc = load_file(*cfg, p, &read, err)) < 0)
			break;
	if (rc == 0 && read)
		return 0;
	cJSON_Delete(*cfg);
	*cfg = NULL;
	if (rc < 0)
		return -1;
	kshim_fail(err, ENOENT, "no kubeconfig: %s does not exist", files);
	return kshim_hint(err, "set KUBECONFIG to your cluster's kubeconfig ('kubectl config view' "
			       "shows what kubectl reads)");
}

const cJSON *
kubeconfig_entry(const cJSON *cfg, const char *list, const char *name, const char *field)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(cfg, list))
	{
		const char *n = kubeconfig_str(e, "name");
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, field);
		if (n && strcmp(n, name) == 0)
			return cJSON_IsObject(f) ? f : NULL;
	}
	return NULL;
}

void
kubeconfig_names(const cJSON *cfg, const char *list, char *buf, size_t len)
{
	const cJSON *e;
	size_t used = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(cfg, list))
	{
		const char *n = kubeconfig_str(e, "name");
		if (n && used < len)
			used +=
			    (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", n);
	}
}

const char *
kubeconfig_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}
