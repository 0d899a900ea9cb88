/* SPDX-License-Identifier: Apache-2.0 */
/* A library with one visible function that is no hook: tests/shim-exports.sh links it with
 * the shim's version script (make build/helpers/not_a_hook-lds.so) and without it (make
 * build/helpers/not_a_hook.so), and finds the function exported only without it. */
__attribute__((visibility("default"))) int
kshim_not_a_hook(void)
{
	return 1;
}
