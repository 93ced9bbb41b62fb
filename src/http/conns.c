/* conns.c - see conns.h. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "http/conns.h"
#include "http/limits.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct conn {
    struct conn *prev, *next;
    MHD_socket fd;
    _Atomic int64_t due_ms; /* monotonic; 0 while a request is being handled */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake;
static struct conn *head;
static pthread_t thread;
static bool running, stopping;
static unsigned head_timeout_ms;
static atomic_ullong closed_late;

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void conns_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                  enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct conn *k = xcalloc(1, sizeof *k);
        k->fd = ci ? ci->connect_fd : MHD_INVALID_SOCKET;
        atomic_store(&k->due_ms, now_ms() + head_timeout_ms);
        pthread_mutex_lock(&lock);
        k->next = head;
        if (head)
            head->prev = k;
        head = k;
        pthread_mutex_unlock(&lock);
        *socket_context = k;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
        struct conn *k = *socket_context;
        pthread_mutex_lock(&lock);
        if (k->prev)
            k->prev->next = k->next;
        else
            head = k->next;
        if (k->next)
            k->next->prev = k->prev;
        pthread_mutex_unlock(&lock);
        free(k);
        *socket_context = NULL;
    }
}

static struct conn *of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

void conns_head_done(struct MHD_Connection *c)
{
    struct conn *k = of(c);
    if (k)
        atomic_store(&k->due_ms, 0);
}

void conns_request_done(struct MHD_Connection *c)
{
    struct conn *k = of(c);
    if (k)
        atomic_store(&k->due_ms, now_ms() + (int64_t)CONN_TIMEOUT_S * 1000);
}

unsigned long long conns_closed_late(void)
{
    return atomic_load(&closed_late);
}

static void *watchdog(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    while (!stopping) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += 1; /* a deadline is kept to within a second */
        pthread_cond_timedwait(&wake, &lock, &until);
        int64_t now = now_ms();
        for (struct conn *k = head; k && !stopping; k = k->next) {
            int64_t due = atomic_load(&k->due_ms);
            if (due && now > due && k->fd != MHD_INVALID_SOCKET) {
                /* the descriptor is open: NOTIFY_CLOSED (before the close) waits for this lock */
                shutdown(k->fd, SHUT_RDWR);
                atomic_store(&k->due_ms, 0);
                atomic_fetch_add(&closed_late, 1);
            }
        }
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

int conns_start(unsigned head_timeout_s)
{
    head_timeout_ms = head_timeout_s * 1000u;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&wake, &ca);
    pthread_condattr_destroy(&ca);
    stopping = false;
    if (pthread_create(&thread, NULL, watchdog, NULL))
        return error("connection watchdog: cannot start thread");
    running = true;
    return 0;
}

void conns_stop(void)
{
    if (!running)
        return;
    pthread_mutex_lock(&lock);
    stopping = true;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
    pthread_join(thread, NULL);
    running = false;
}
