/* SPDX-License-Identifier: Apache-2.0 */
/* What kind of program a command is (dynamic, static, Go, script); can LD_PRELOAD reach it? */
#include "exec.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int
exec_find(const char *cmd, char *path, size_t len, kshim_err_t *err)
{
	const char *p = getenv("PATH");

	if (strchr(cmd, '/')) {
		if (access(cmd, X_OK) < 0)
			return kshim_fail(err, errno, "%s: %s", cmd, strerror(errno));
		snprintf(path, len, "%s", cmd);
		return 0;
	}
	if (!p || !*p)
		p = "/usr/local/bin:/usr/bin:/bin";
	while (*p) {
		const char *end = strchrnul(p, ':');
		int n = (int)(end - p);
		snprintf(path, len, "%.*s%s%s", n, p, n ? "/" : "", cmd);
		struct stat st;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
			return 0;
		p = *end ? end + 1 : end;
	}
	kshim_fail(err, ENOENT, "%s: command not found", cmd);
	return kshim_hint(err, "check the name, or give its full path");
}

/* Go writes its build information to a .go.buildinfo section; without section
 * headers (a stripped-down file) fall back to the section's magic. */
static int
is_go(const unsigned char *m, size_t size)
{
	static const char magic[] = "\xff Go buildinf:";
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)m;
	const Elf64_Shdr *sh, *names;

	if (eh->e_shoff == 0 || eh->e_shnum == 0)
		return memmem(m, size, magic, sizeof(magic) - 1) != NULL;
	if (eh->e_shoff > size || (size - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum ||
	    eh->e_shstrndx >= eh->e_shnum)
		return 0;
	sh = (const Elf64_Shdr *)(m + eh->e_shoff);
	names = &sh[eh->e_shstrndx];
	if (names->sh_offset >= size || names->sh_size > size - names->sh_offset)
		return 0;
	for (int i = 0; i < eh->e_shnum; i++) {
		static const char want[] = ".go.buildinfo";
		if (sh[i].sh_name + sizeof(want) <= names->sh_size &&
		    memcmp(m + names->sh_offset + sh[i].sh_name, want, sizeof(want)) == 0)
			return 1;
	}
	return 0;
}

/* 64-bit ELF only; other classes are reported as EXEC_OTHER. */
static enum exec_kind
elf_kind(const unsigned char *m, size_t size)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)m;
	int interp = 0;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64)
		return EXEC_OTHER;
	if (eh->e_phoff > size || (size - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
		return EXEC_OTHER;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(m + eh->e_phoff) + i;
		if (ph->p_type == PT_INTERP)
			interp = 1;
	}
	if (is_go(m, size))
		return EXEC_GO;
	return interp ? EXEC_DYNAMIC : EXEC_STATIC;
}

/* "#!/usr/bin/env python3" -> the path of python3; "#!/bin/sh -e" -> /bin/sh. */
static int
script_interpreter(const unsigned char *m, size_t size, char *out, size_t len, kshim_err_t *err)
{
	char line[PATH_MAX], *word, *save;
	size_t n = 0;

	while (n + 2 < size && n < sizeof(line) - 1 && m[n + 2] != '\n') {
		line[n] = (char)m[n + 2];
		n++;
	}
	line[n] = '\0';
	word = strtok_r(line, " \t", &save);
	if (!word)
		return kshim_fail(err, ENOEXEC, "empty #! line");
	if (strcmp(word, "/usr/bin/env") == 0 || strcmp(word, "/bin/env") == 0) {
		while ((word = strtok_r(NULL, " \t", &save)) && word[0] == '-')
			;
		if (!word)
			return kshim_fail(err, ENOEXEC, "#! line names no program");
		return exec_find(word, out, len, err);
	}
	snprintf(out, len, "%s", word);
	return 0;
}

int
exec_kind(const char *path, enum exec_kind *kind, char *real, size_t len, kshim_err_t *err)
{
	for (int depth = 0; depth < 4; depth++) {
		struct stat st;
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		unsigned char *m;

		if (fd < 0 || fstat(fd, &st) < 0) {
			if (fd >= 0)
				close(fd);
			return kshim_fail(err, errno, "%s: %s", path, strerror(errno));
		}
		if (st.st_size < 4) {
			close(fd);
			*kind = EXEC_OTHER;
			return 0;
		}
		m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		close(fd);
		if (m == MAP_FAILED)
			return kshim_fail(err, errno, "%s: %s", path, strerror(errno));
		snprintf(real, len, "%s", path);
		if (m[0] == '#' && m[1] == '!') {
			char interp[PATH_MAX];
			int rc =
			    script_interpreter(m, (size_t)st.st_size, interp, sizeof(interp), err);
			munmap(m, (size_t)st.st_size);
			if (rc < 0)
				return rc;
			snprintf(real, len, "%s", interp);
			path = real;
			continue;
		}
		*kind = elf_kind(m, (size_t)st.st_size);
		munmap(m, (size_t)st.st_size);
		return 0;
	}
	return kshim_fail(err, ELOOP, "%s: too many nested #! interpreters", path);
}

int
exec_inspect(const char *cmd, struct exec_info *info, kshim_err_t *err)
{
	struct stat st;

	if (exec_find(cmd, info->path, sizeof(info->path), err) < 0 ||
	    exec_kind(info->path, &info->kind, info->real, sizeof(info->real), err) < 0)
		return -1;
	/* exec changes the ids only where the file's owner or group is not ours. */
	info->changes_ids =
	    stat(info->path, &st) == 0 && (((st.st_mode & S_ISUID) && st.st_uid != getuid()) ||
					   ((st.st_mode & S_ISGID) && st.st_gid != getgid()));
	return 0;
}

int
exec_check_preloadable(const struct exec_info *info, kshim_err_t *err)
{
	if (info->kind == EXEC_GO) {
		kshim_fail(err, EPERM,
			   "%s is a Go program: Go resolves names with its own resolver and "
			   "connects with raw system calls, so the preloaded shim cannot reach it",
			   info->real);
		return kshim_hint(err, "drop --via preload: kshim run serves it through seccomp");
	}
	if (info->kind == EXEC_STATIC) {
		kshim_fail(err, EPERM,
			   "%s is statically linked: it loads no shared libraries, so the "
			   "preloaded shim cannot reach it",
			   info->real);
		return kshim_hint(err, "drop --via preload: kshim run serves it through seccomp");
	}
	/* The loader runs such a program in secure mode only when it changes ids. */
	if (info->changes_ids)
		fprintf(stderr,
			"kshim: warning: %s is set-user-ID or set-group-ID: the dynamic loader "
			"drops LD_PRELOAD for it, so names will not be mapped\n",
			info->path);
	return 0;
}

int
exec_check_supervisable(const struct exec_info *info, kshim_err_t *err)
{
	if (!info->changes_ids)
		return 0;
	kshim_fail(err, EPERM,
		   "%s is set-user-ID or set-group-ID: the seccomp supervisor needs "
		   "no_new_privs, under which exec cannot change ids, so it would not run as "
		   "intended",
		   info->path);
	return kshim_hint(err, "run a copy without the set-ID bit, or run it on the cluster's "
			       "network");
}
