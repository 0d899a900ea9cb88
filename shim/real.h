/* SPDX-License-Identifier: Apache-2.0 */
/* The real libc functions behind each hook, bound once with dlsym(RTLD_NEXT). */
#ifndef KSHIM_REAL_H
#define KSHIM_REAL_H

#include <netdb.h>
#include <sys/socket.h>

struct kshim_real {
	int (*getaddrinfo)(const char *, const char *, const struct addrinfo *, struct addrinfo **);
	int (*getnameinfo)(const struct sockaddr *, socklen_t, char *, socklen_t, char *, socklen_t,
			   int);
	struct hostent *(*gethostbyname)(const char *);
	struct hostent *(*gethostbyname2)(const char *, int);
	int (*gethostbyname_r)(const char *, struct hostent *, char *, size_t, struct hostent **,
			       int *);
	int (*gethostbyname2_r)(const char *, int, struct hostent *, char *, size_t,
				struct hostent **, int *);
	struct hostent *(*gethostbyaddr)(const void *, socklen_t, int);
	int (*gethostbyaddr_r)(const void *, socklen_t, int, struct hostent *, char *, size_t,
			       struct hostent **, int *);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*getpeername)(int, struct sockaddr *, socklen_t *);
	ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
};

/* Binds every symbol on first use; safe from any thread, before or after main. */
const struct kshim_real *kshim_real(void);

/* Looks a c-ares symbol up in the already loaded libcares, or returns NULL;
 * *cache keeps it once found. */
void *kshim_real_ares(const char *name, void **cache);

#define KSHIM_EXPORT __attribute__((visibility("default")))

#endif
