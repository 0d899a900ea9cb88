/* Weak placeholders for subcommands still being written; real definitions win. */
#include "cli.h"
#define STUB(n) __attribute__((weak)) int n(int argc, char **argv, kshim_err_t *err) { (void)argc; (void)argv; return kshim_fail(err, 0, #n " not implemented"); }
STUB(cmd_up) STUB(cmd_down) STUB(cmd_status) STUB(cmd_run) STUB(cmd_env) STUB(cmd_logs) STUB(cmd_table)
