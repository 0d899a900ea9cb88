/* SPDX-License-Identifier: Apache-2.0 */
/* --json output for the subcommands that have it (status, config, doctor). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int
cli_print_json(cJSON *o)
{
	char *text = o ? cJSON_Print(o) : NULL;

	cJSON_Delete(o);
	if (!text)
		return -1;
	puts(text);
	free(text);
	return 0;
}
