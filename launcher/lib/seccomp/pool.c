/* SPDX-License-Identifier: Apache-2.0 */
/* A queue of redirected connects and the threads that make them. Threads start
 * when every one is busy, up to SC_POOL_MAX, and stay for the next connect:
 * starting a thread per connect cost more than the connect. */
#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include "notify.h"

#define SC_POOL_MAX 64	 /* threads */
#define SC_QUEUE_MAX 256 /* connects waiting for one */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct sc_job queue[SC_QUEUE_MAX];
	unsigned head, count;
	int threads, idle;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .work = PTHREAD_COND_INITIALIZER};

static void
run(const struct sc_job *j)
{
	int rc = connect(j->fd, (const struct sockaddr *)&j->to, j->len);

	sc_reply(j->listener, j->id, rc < 0 ? errno : 0);
	close(j->fd);
}

static void *
worker(void *arg)
{
	struct sc_job j;

	(void)arg;
	pthread_mutex_lock(&pool.lock);
	for (;;) {
		while (pool.count == 0) {
			pool.idle++;
			pthread_cond_wait(&pool.work, &pool.lock);
			pool.idle--;
		}
		j = pool.queue[pool.head];
		pool.head = (pool.head + 1) % SC_QUEUE_MAX;
		pool.count--;
		pthread_mutex_unlock(&pool.lock);
		run(&j);
		pthread_mutex_lock(&pool.lock);
	}
	return NULL;
}

/* Under the lock: one more worker; 0 or an errno. */
static int
start_worker(void)
{
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	rc = pthread_create(&t, &attr, worker, NULL);
	pthread_attr_destroy(&attr);
	if (rc == 0)
		pool.threads++;
	return rc;
}

/* Under the lock: queues j; 0 when a worker will take it. */
static int
enqueue(const struct sc_job *j)
{
	if (pool.count == SC_QUEUE_MAX)
		return -1;
	pool.queue[(pool.head + pool.count) % SC_QUEUE_MAX] = *j;
	pool.count++;
	/* Queued connects beyond the idle workers: one more worker, if allowed. */
	if (pool.count > (unsigned)pool.idle && pool.threads < SC_POOL_MAX && start_worker() != 0 &&
	    pool.threads == 0) {
		pool.count--;
		return -1;
	}
	return 0;
}

void
sc_pool_submit(const struct sc_job *job)
{
	int rc;

	pthread_mutex_lock(&pool.lock);
	rc = enqueue(job);
	pthread_mutex_unlock(&pool.lock);
	/* After the unlock: the worker woken does not wait for the lock. */
	if (rc == 0)
		pthread_cond_signal(&pool.work);
	if (rc < 0) {
		sc_reply(job->listener, job->id, EAGAIN);
		close(job->fd);
	}
}
