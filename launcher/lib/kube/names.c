/* SPDX-License-Identifier: Apache-2.0 */
/* The forwarder's names: each pod's DNS names and the Service's, mapped to the
 * forwards in the table, and the cluster domain they end in. */
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <string.h>

#include "../paths.h"
#include "../table_store.h"
#include "forwarder.h"

/* host.sub.ns.svc.domain, host.sub.ns.svc, host.sub.ns (sub "": the Service's names). */
static void
dns_names(const struct forwarder *fw, const char *host, const char *sub, char out[3][256])
{
	char base[256];

	if (sub[0])
		snprintf(base, sizeof(base), "%.63s.%.63s.%.63s", host, sub, fw->rec.ns);
	else
		snprintf(base, sizeof(base), "%.63s.%.63s", host, fw->rec.ns);
	snprintf(out[0], 256, "%.120s.svc.%.127s", base, fw->rec.domain);
	snprintf(out[1], 256, "%.250s.svc", base);
	snprintf(out[2], 256, "%s", base);
}

static int
add_host(struct kshim_table *t, char names[3][256], uint32_t addr, const uint16_t *ports,
	 const uint16_t *lports, int nports)
{
	struct kshim_host *h = kshim_table_add(t, names[0], addr);

	if (!h || kshim_host_add_name(t, h, names[1]) < 0 ||
	    kshim_host_add_name(t, h, names[2]) < 0)
		return -1;
	for (int i = 0; i < nports; i++)
		if (kshim_host_set_port(h, ports[i], LOOPBACK, lports[i]) < 0)
			return -1;
	return 0;
}

static int
fill_table(const struct forwarder *fw, struct kshim_table *t)
{
	char names[3][256];

	dns_names(fw, fw->s.name, "", names);
	if (add_host(t, names, fw->base + 1, fw->s.port, fw->pod[fw->boot].lport, fw->s.nports) < 0)
		return -1;
	for (int i = 0; i < fw->n; i++) {
		const struct kube_pod *p = &fw->pod[i].pod;
		dns_names(fw, p->hostname, p->subdomain[0] ? p->subdomain : fw->s.name, names);
		if (add_host(t, names, fw->base + fw->pod[i].addr, fw->s.target, fw->pod[i].lport,
			     fw->s.nports) < 0)
			return -1;
	}
	return 0;
}

/* Writes the table under the directory's lock; each name keeps its address. */
int
fw_table_write(struct forwarder *fw, kshim_err_t *err)
{
	struct kshim_table t = {0};
	int lock, rc = 0;

	if (kshim_lock(KSHIM_TABLES_LOCK, 1, &lock, err) < 0)
		return -1;
	if (!fw->base && table_store_block(fw->table, &fw->base, err) < 0)
		rc = -1;
	else if (fill_table(fw, &t) < 0)
		rc = kshim_fail(err, errno, "cannot build the table: %s", strerror(errno));
	else if (kshim_table_write(fw->table, &t) < 0)
		rc = kshim_fail(err, errno, "cannot write %s: %s", fw->table, strerror(errno));
	kshim_unlock(lock);
	kshim_table_free(&t);
	return rc;
}

/* The cluster domain: given, else what the brokers' advertised names end in
 * after <pod>.<sub>.<ns>.svc., else cluster.local. */
void
fw_learn_domain(struct forwarder *fw, const struct rd_kafka_metadata *md)
{
	char mid[160];

	if (fw->rec.domain[0])
		return;
	snprintf(mid, sizeof(mid), ".%s.svc.", fw->rec.ns);
	for (int i = 0; i < md->broker_cnt; i++) {
		const char *at = strstr(md->brokers[i].host, mid);
		if (at && at[strlen(mid)]) {
			snprintf(fw->rec.domain, sizeof(fw->rec.domain), "%s", at + strlen(mid));
			return;
		}
	}
}
