/* SPDX-License-Identifier: Apache-2.0 */
/* Leader and followers: the leading thread waits for a trapped call and answers
 * it itself, so a call costs no hand-over between threads; a redirected connect
 * too, which returns at once on a published port that answers. A connect that
 * has not returned after SECCOMP_POOL_STUCK_MS is found by a timer that wakes
 * the main thread, which passes the lead on (seccomp_pool_watch) to a waiting
 * thread; the stuck one, once its connect is done, waits for the lead again.
 * Threads stay for the next time: starting one cost more than a connect.
 * Waking a thread before every connect, as this pool did at first, cost 8 µs
 * a connect. */
#include "pool.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"

#define SECCOMP_POOL_MAX 256 /* threads */
#define STUCK_NS (SECCOMP_POOL_STUCK_MS * 1000000LL)

static struct {
	pthread_mutex_t lock;
	pthread_cond_t turn;
	int led;     /* a thread leads */
	int waiting; /* threads waiting for the lead */
	int threads;
	int done;	     /* no call will come: every thread leaves */
	unsigned generation; /* of the supervisor run the threads serve */
	unsigned term;	     /* leads taken from a leader stuck in a connect */
	long long since;     /* when the leader began a connect; 0: it makes none */
	long long due;	     /* when the timer goes off; 0: it is not set */
	int timer;	     /* a timerfd; -1: none */
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .turn = PTHREAD_COND_INITIALIZER, .timer = -1};

static void *answer(void *arg);

/* Under the lock: one more thread; 0 or an errno. */
static int
start_thread(struct seccomp_ctx *c)
{
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	rc = pthread_create(&t, &attr, answer, c);
	pthread_attr_destroy(&attr);
	if (rc == 0)
		pool.threads++;
	return rc;
}

/* 1 once this thread leads; 0 when it is to leave (its run is over). */
static int
take_lead(unsigned generation)
{
	int lead;

	pthread_mutex_lock(&pool.lock);
	while (pool.led && !pool.done && pool.generation == generation) {
		pool.waiting++;
		pthread_cond_wait(&pool.turn, &pool.lock);
		pool.waiting--;
	}
	lead = !pool.done && pool.generation == generation;
	if (lead)
		pool.led = 1;
	else
		pool.threads--;
	pthread_mutex_unlock(&pool.lock);
	return lead;
}

/* No call will come: the leader leaves, and every other thread after it. */
static void
leave(void)
{
	pthread_mutex_lock(&pool.lock);
	pool.done = 1;
	pool.led = 0;
	pool.threads--;
	pthread_mutex_unlock(&pool.lock);
	pthread_cond_broadcast(&pool.turn);
}

/* Under the lock: the lead to a waiting thread (*wake: signal one), else to a
 * new one; -1, the lead kept, when neither can take it (SECCOMP_POOL_MAX
 * threads, all connecting). */
static int
give_lead(struct seccomp_ctx *c, int *wake)
{
	*wake = pool.waiting > 0;
	if (!*wake && (pool.threads >= SECCOMP_POOL_MAX || start_thread(c) != 0))
		return -1;
	pool.led = 0;
	return 0;
}

static int
pass_lead(struct seccomp_ctx *c)
{
	int wake, rc;

	pthread_mutex_lock(&pool.lock);
	rc = give_lead(c, &wake);
	pthread_mutex_unlock(&pool.lock);
	if (wake)
		pthread_cond_signal(&pool.turn);
	return rc;
}

static long long
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void
run(const struct seccomp_job *j)
{
	int rc = connect(j->fd, (const struct sockaddr *)&j->to, j->len);

	seccomp_notify_reply(j->listener, j->id, rc < 0 ? errno : 0);
	close(j->fd);
}

static void
set_timer(long long ns)
{
	struct itimerspec t = {.it_value = {ns / 1000000000LL, ns % 1000000000LL}};

	timerfd_settime(pool.timer, 0, &t, NULL);
}

/* Under the lock: the timer goes off STUCK_NS after the leader's connect began,
 * or later. It is set when it is not, and never unset: when it goes off, the
 * watch sets it again for a connect still going on. A leader connecting in a
 * loop thus makes no system call for it, and the main thread wakes every
 * STUCK_NS meanwhile, and once after. */
static void
keep_timer(long long now)
{
	long long left = pool.since + STUCK_NS - now;

	if (pool.due || !pool.since)
		return;
	if (left <= 0)
		left = STUCK_NS; /* the lead could not be passed on: try again */
	pool.due = now + left;
	set_timer(left);
}

/* The leader's own connect. 1 when this thread still leads after it; 0 when
 * the watch passed the lead on meanwhile; -1, without connecting, when no
 * thread waits that the watch could pass it to, or there is no timer. */
static int
run_leading(const struct seccomp_job *j)
{
	unsigned term;
	int leads;

	pthread_mutex_lock(&pool.lock);
	if (pool.waiting == 0 || pool.timer < 0) {
		pthread_mutex_unlock(&pool.lock);
		return -1;
	}
	term = pool.term;
	pool.since = now_ns();
	keep_timer(pool.since);
	pthread_mutex_unlock(&pool.lock);
	run(j);
	pthread_mutex_lock(&pool.lock);
	leads = pool.term == term;
	if (leads)
		pool.since = 0;
	pthread_mutex_unlock(&pool.lock);
	return leads;
}

/* 1 once a call waits; 0 once no process uses the filter. */
static int
wait_in_poll(struct seccomp_ctx *c)
{
	struct pollfd p = {.fd = c->listener, .events = POLLIN};

	for (;;) {
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			seccomp_notify_stop_answering(c, "poll");
			return 0;
		}
		if (p.revents & POLLIN)
			return 1;
		if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
			return 0;
	}
}

/* Leads until a call needs a connect (1, in *job) or no process uses the
 * filter any more (0). Where the kernel ends a receive at that hang-up, the
 * leader waits in the receive itself: a poll first is a system call more per
 * trapped call. */
static int
lead(struct seccomp_ctx *c, void *buf, struct seccomp_job *job)
{
	int rc;

	for (;;) {
		if (__atomic_load_n(&c->listener, __ATOMIC_ACQUIRE) < 0)
			return 0; /* another thread stopped answering */
		if (!c->receive_ends && !wait_in_poll(c))
			return 0;
		if ((rc = seccomp_notify_receive(c, buf)) < 0) {
			seccomp_notify_stop_answering(c, "receiving a notification");
			return 0;
		}
		if (rc == 1 && seccomp_notify_answer(c, buf, job) == 1)
			return 1;
		if (rc == 0 && c->receive_ends && seccomp_notify_unused(c))
			return 0;
	}
}

static void *
answer(void *arg)
{
	struct seccomp_ctx *c = arg;
	_Alignas(8) char buf[SECCOMP_NOTIFY_BUF_SIZE];
	struct seccomp_job job;
	unsigned generation;

	pthread_mutex_lock(&pool.lock);
	generation = pool.generation;
	pthread_mutex_unlock(&pool.lock);
	for (int leading = take_lead(generation); leading; leading = take_lead(generation)) {
		int rc, ran = -1;

		while ((rc = lead(c, buf, &job)) == 1 && (ran = run_leading(&job)) == 1)
			;
		if (rc == 0) {
			leave();
			break;
		}
		if (ran == 0)
			continue; /* the watch passed the lead on while it connected */
		/* With no thread to pass the lead to, the call fails as when a
		 * program runs out of threads, and this one goes on leading. */
		while (pass_lead(c) < 0) {
			seccomp_notify_reply(job.listener, job.id, EAGAIN);
			close(job.fd);
			if (lead(c, buf, &job) == 0) {
				leave();
				return NULL;
			}
		}
		run(&job);
	}
	return NULL;
}

int
seccomp_pool_start(struct seccomp_ctx *c)
{
	int rc;

	pthread_mutex_lock(&pool.lock);
	pool.generation++;
	pool.done = 0;
	pool.led = 0;
	pool.since = 0;
	pool.due = 0;
	if (pool.timer < 0) /* kept for the next run; without one, every connect is handed over */
		pool.timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	rc = start_thread(c);
	pthread_mutex_unlock(&pool.lock);
	errno = rc;
	return rc ? -1 : 0;
}

void
seccomp_pool_stop(void)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 1;
	pthread_mutex_lock(&pool.lock);
	/* The leader sees the same hang-up as the main thread; it may still be
	 * answering a last call. */
	while (pool.led && !pool.done &&
	       pthread_cond_timedwait(&pool.turn, &pool.lock, &until) == 0)
		;
	pool.done = 1;
	pthread_mutex_unlock(&pool.lock);
	pthread_cond_broadcast(&pool.turn);
}

int
seccomp_pool_timer(void)
{
	return pool.timer;
}

int
seccomp_pool_watch(struct seccomp_ctx *c)
{
	uint64_t expired;
	long long now;
	int stuck, wake = 0;

	if (read(pool.timer, &expired, sizeof(expired)) < 0)
		return 0;
	pthread_mutex_lock(&pool.lock);
	now = now_ns();
	pool.due = 0;
	stuck = pool.since && !pool.done && now - pool.since >= STUCK_NS;
	if (stuck && give_lead(c, &wake) == 0) {
		pool.term++;
		pool.since = 0;
	} else
		stuck = 0;
	if (!pool.done)
		keep_timer(now);
	pthread_mutex_unlock(&pool.lock);
	if (wake)
		pthread_cond_signal(&pool.turn);
	return stuck;
}
