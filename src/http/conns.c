/* conns.c - see conns.h. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include "http/conns.h"
#include "http/limits.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct addr;

struct conn {
    struct conn *prev, *next;   /* every connection (the watchdog's list) */
    struct conn *aprev, *anext; /* the connections of its address */
    struct addr *addr;
    MHD_socket fd;
    bool evicted;           /* shut down to make room; not counted as open any more */
    _Atomic int64_t due_ms; /* monotonic; 0 while a request is being handled */
    _Atomic int64_t since_ms; /* accepted, or its last request ended: the eviction order */
};

/* One peer address (IPv4 as v4-mapped IPv6): its open connections, in a chained hash table. */
struct addr {
    struct addr *hnext;
    unsigned char ip[16];
    unsigned n; /* open and not evicted */
    struct conn *conns;
};

#define ADDR_BUCKETS 4096

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake;
static struct conn *head;
static struct addr *buckets[ADDR_BUCKETS];
static unsigned open_n; /* open and not evicted */
static unsigned per_addr_max, soft_max;
static pthread_t thread;
static bool running, stopping;
static unsigned head_timeout_ms;
static atomic_ullong closed_late, evicted_n;

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void ip_of(const struct sockaddr *sa, unsigned char ip[16])
{
    memset(ip, 0, 16);
    if (sa && sa->sa_family == AF_INET) {
        ip[10] = ip[11] = 0xff;
        memcpy(ip + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
    } else if (sa && sa->sa_family == AF_INET6)
        memcpy(ip, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
}

static unsigned bucket_of(const unsigned char ip[16])
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (int i = 0; i < 16; i++)
        h = (h ^ ip[i]) * 16777619u;
    return h % ADDR_BUCKETS;
}

/* addr_get - the entry of ip, made if absent. Called with the lock held. */
static struct addr *addr_get(const unsigned char ip[16])
{
    struct addr **b = &buckets[bucket_of(ip)];
    for (struct addr *a = *b; a; a = a->hnext)
        if (memcmp(a->ip, ip, 16) == 0)
            return a;
    struct addr *a = xcalloc(1, sizeof *a);
    memcpy(a->ip, ip, 16);
    a->hnext = *b;
    *b = a;
    return a;
}

static void addr_drop_if_empty(struct addr *a)
{
    if (a->conns)
        return;
    for (struct addr **p = &buckets[bucket_of(a->ip)]; *p; p = &(*p)->hnext)
        if (*p == a) {
            *p = a->hnext;
            free(a);
            return;
        }
}

/* evict_from - shuts down the connection of a that is not in a request and least recently
 * active (accepted, or its last request ended, longest ago: an idle keep-alive, or a head that
 * has been trickling in), other than keep; false if every one is in a request. libmicrohttpd
 * sees the end of the stream and closes it (NOTIFY_CLOSED, which needs the lock held here, so
 * the descriptor cannot have been closed and reused). */
static bool evict_from(struct addr *a, const struct conn *keep)
{
    struct conn *victim = NULL;
    int64_t best = 0;
    for (struct conn *k = a->conns; k; k = k->anext) {
        if (k == keep || k->evicted || !atomic_load(&k->due_ms) || k->fd == MHD_INVALID_SOCKET)
            continue;
        int64_t since = atomic_load(&k->since_ms);
        if (!victim || since <= best) { /* the list is newest first: on a tie, the older */
            victim = k;
            best = since;
        }
    }
    if (!victim)
        return false;
    shutdown(victim->fd, SHUT_RDWR);
    victim->evicted = true;
    a->n--;
    open_n--;
    atomic_fetch_add(&evicted_n, 1);
    return true;
}

/* make_room - after k (from k->addr) was accepted: its address over its share, or every
 * connection over the soft bound, loses an idle connection - the address's own first, else the
 * address holding the most. A flood then only displaces itself, and a newcomer from anywhere
 * is served; only when none can give way is the newcomer itself refused. Lock held. */
static void make_room(struct conn *k)
{
    if (k->addr->n > per_addr_max) {
        if (!evict_from(k->addr, k)) {
            shutdown(k->fd, SHUT_RDWR);
            k->evicted = true;
            k->addr->n--;
            open_n--;
        }
        return;
    }
    if (open_n <= soft_max)
        return;
    struct addr *most = NULL;
    for (unsigned i = 0; i < ADDR_BUCKETS; i++)
        for (struct addr *a = buckets[i]; a; a = a->hnext)
            if (!most || a->n > most->n)
                most = a;
    if (most && !evict_from(most, k) && most != k->addr)
        evict_from(k->addr, k);
}

void conns_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                  enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *ai =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        unsigned char ip[16];
        ip_of(ai ? ai->client_addr : NULL, ip);
        struct conn *k = xcalloc(1, sizeof *k);
        k->fd = ci ? ci->connect_fd : MHD_INVALID_SOCKET;
        int64_t now = now_ms();
        atomic_store(&k->due_ms, now + head_timeout_ms);
        atomic_store(&k->since_ms, now);
        pthread_mutex_lock(&lock);
        k->next = head;
        if (head)
            head->prev = k;
        head = k;
        struct addr *a = k->addr = addr_get(ip);
        k->anext = a->conns;
        if (a->conns)
            a->conns->aprev = k;
        a->conns = k;
        a->n++;
        open_n++;
        if (k->fd != MHD_INVALID_SOCKET)
            make_room(k);
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
        struct addr *a = k->addr;
        if (k->aprev)
            k->aprev->anext = k->anext;
        else
            a->conns = k->anext;
        if (k->anext)
            k->anext->aprev = k->aprev;
        if (!k->evicted) {
            a->n--;
            open_n--;
        }
        addr_drop_if_empty(a);
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
    if (k) {
        int64_t now = now_ms();
        atomic_store(&k->since_ms, now);
        atomic_store(&k->due_ms, now + (int64_t)CONN_TIMEOUT_S * 1000);
    }
}

unsigned long long conns_closed_late(void)
{
    return atomic_load(&closed_late);
}

unsigned long long conns_evicted(void)
{
    return atomic_load(&evicted_n);
}

unsigned conns_open(void)
{
    pthread_mutex_lock(&lock);
    unsigned n = open_n;
    pthread_mutex_unlock(&lock);
    return n;
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

int conns_start(unsigned head_timeout_s, unsigned per_address, unsigned soft)
{
    head_timeout_ms = head_timeout_s * 1000u;
    per_addr_max = per_address;
    soft_max = soft;
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
