/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the table parser on arbitrary bytes. Whatever it accepts
 * must print and parse back to the same table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kshim/table.h"

static void
ignore(void *ctx, int line, const char *why)
{
	(void)ctx;
	(void)line;
	(void)why;
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct kshim_table t = {0}, back = {0};
	const char *why;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (kshim_table_parse((const char *)data, size, &t, ignore, NULL, &why) < 0)
		return 0;
	f = open_memstream(&text, &len);
	if (!f || kshim_table_print(&t, f) < 0 || fclose(f) != 0)
		abort();
	if (kshim_table_parse(text, len, &back, NULL, NULL, &why) < 0 || back.nhosts != t.nhosts)
		abort();
	for (int i = 0; i < t.nhosts; i++) {
		const struct kshim_host *a = &t.hosts[i], *b = &back.hosts[i];
		if (a->addr != b->addr || a->nnames != b->nnames || a->nports != b->nports ||
		    memcmp(a->ports, b->ports, sizeof(a->ports[0]) * (size_t)a->nports) != 0)
			abort();
		for (int j = 0; j < a->nnames; j++)
			if (strcmp(a->names[j], b->names[j]) != 0 ||
			    kshim_table_find_name(&back, a->names[j]) != b)
				abort();
		if (kshim_table_find_addr(&back, a->addr) != b)
			abort();
	}
	free(text);
	kshim_table_free(&t);
	kshim_table_free(&back);
	return 0;
}
