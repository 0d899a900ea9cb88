/* SPDX-License-Identifier: Apache-2.0 */
/* Whether the user may do something, asked of the server itself with a
 * SelfSubjectAccessReview (what kubectl auth can-i does). */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define REVIEWS "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"

static cJSON *
review(const char *ns, const char *verb, const char *resource, const char *subresource)
{
	cJSON *r = cJSON_CreateObject(), *spec, *attr;

	cJSON_AddStringToObject(r, "apiVersion", "authorization.k8s.io/v1");
	cJSON_AddStringToObject(r, "kind", "SelfSubjectAccessReview");
	spec = cJSON_AddObjectToObject(r, "spec");
	attr = cJSON_AddObjectToObject(spec, "resourceAttributes");
	if (ns)
		cJSON_AddStringToObject(attr, "namespace", ns);
	cJSON_AddStringToObject(attr, "verb", verb);
	cJSON_AddStringToObject(attr, "resource", resource);
	if (subresource)
		cJSON_AddStringToObject(attr, "subresource", subresource);
	return attr ? r : (cJSON_Delete(r), NULL);
}

int
kube_can(kube_t *k, const char *ns, const char *verb, const char *resource, const char *subresource,
	 int *allowed, char *reason, size_t len, kshim_err_t *err)
{
	cJSON *body = review(ns, verb, resource, subresource), *out = NULL;
	const cJSON *status;
	const char *why;
	int rc;

	if (!body)
		return kshim_fail(err, ENOMEM, "out of memory");
	rc = kube_request(k, REVIEWS, body, &out, err);
	cJSON_Delete(body);
	if (rc < 0)
		return kshim_wrap(err, "asking whether user '%s' may %s %s%s%s", k->t.user, verb,
				  resource, subresource ? "/" : "", subresource ? subresource : "");
	status = cJSON_GetObjectItemCaseSensitive(out, "status");
	*allowed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(status, "allowed"));
	why = kubeconfig_str(status, "reason");
	if (reason && len)
		snprintf(reason, len, "%s", why ? why : "");
	cJSON_Delete(out);
	return 0;
}
