/* SPDX-License-Identifier: Apache-2.0 */
/* ran: prints "static ran" and exits 0. tests/shim-run.sh links it static (make
 * build/tests/ran), for kshim run to refuse with --via preload and to serve through
 * the supervisor without it, and dynamic (make build/clients/ran) to run as a
 * set-user-ID program. */
#include <stdio.h>

int
main(void)
{
	puts("static ran");
	return 0;
}
