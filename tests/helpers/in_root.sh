#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# in_root.sh DIR CHROOT-ARGS...: `chroot CHROOT-ARGS` (its options, then / and a command) in the
# tree DIR, from a mount namespace of its own whose root the tree is (pivot_root), not a plain
# chroot: the kernel refuses user namespaces to a chrooted process, and Podman's image unpacking
# remounts its root, which must be a mount point. The tree's mounts (proc, sys, dev, run) come
# along. It execs all the way, so its pid is the command's.
exec unshare --mount --propagation private sh -c 'mount --rbind "$0" "$0" && cd "$0" && mkdir -p .host &&
	pivot_root . .host && umount -l /.host && exec chroot "$@"' "$@"
