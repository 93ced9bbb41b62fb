/*
 * bench/layers/layer.h - what the four HTTP layer servers of bench/layers.sh share (issue #21:
 * "an HTTP layer without a thread hand-off per request … compared side by side on this machine").
 *
 * Every server answers three GET routes on 127.0.0.1 (port given, or 0 = any; it prints
 * "port N" on stdout once listening), with one event-loop thread:
 *   /healthz  15 bytes at once (kaigo's /healthz)
 *   /inline   the 773-byte card body at once (the card's size, no hand-off)
 *   /card     the request is handed to a committer thread, which takes everything queued, writes
 *             8 KiB and fdatasyncs a file (a group commit's durable write), then hands the batch
 *             back to the loop thread, which answers each with the 773-byte body - the shape of
 *             kaigo's audited card read with the gate, the reads and the audit row taken out.
 * The committer and the sync file are the same code for every layer; only the hand-off back to
 * the loop differs (libmicrohttpd: suspend/resume; libevent and raw epoll: one eventfd write per
 * batch; H2O: its multithread queue). Benchmark code: no limits, no hardening, loopback only;
 * it runs until killed. Nothing here is part of kaigo.
 */
#ifndef BENCH_LAYER_H
#define BENCH_LAYER_H
#define _GNU_SOURCE 1
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

static const char HEALTH_BODY[] = "{\"status\":\"ok\"}";
#define HEALTH_LEN (sizeof HEALTH_BODY - 1)
#define CARD_LEN 773
static char CARD_BODY[CARD_LEN + 1];

struct job {
    struct job *next;
    void *req; /* the layer's request or connection */
};

typedef void (*batch_done_fn)(struct job *list); /* called on the committer thread, FIFO order */

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *head, **tail;
    int fd;
    batch_done_fn done;
    pthread_t th;
} C = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void commit_push(struct job *j)
{
    j->next = NULL;
    pthread_mutex_lock(&C.mu);
    int was_empty = C.head == NULL;
    *C.tail = j;
    C.tail = &j->next;
    pthread_mutex_unlock(&C.mu);
    if (was_empty)
        pthread_cond_signal(&C.cv);
}

static void *commit_main(void *arg)
{
    (void)arg;
    static char page[8192];
    memset(page, 'a', sizeof page);
    off_t off = 0;
    for (;;) {
        pthread_mutex_lock(&C.mu);
        while (C.head == NULL)
            pthread_cond_wait(&C.cv, &C.mu);
        struct job *list = C.head;
        C.head = NULL;
        C.tail = &C.head;
        pthread_mutex_unlock(&C.mu);
        if (pwrite(C.fd, page, sizeof page, off) != (ssize_t)sizeof page || fdatasync(C.fd) != 0) {
            perror("sync file");
            exit(1);
        }
        off = (off + (off_t)sizeof page) % (1 << 22);
        C.done(list);
    }
    return NULL;
}

/* dir: where the sync file goes (removed at once; the descriptor keeps it) */
static void commit_start(const char *dir, batch_done_fn done)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/layers-sync.XXXXXX", dir);
    C.fd = mkstemp(path);
    if (C.fd < 0) {
        perror(path);
        exit(1);
    }
    unlink(path);
    C.tail = &C.head;
    C.done = done;
    for (int i = 0; i < CARD_LEN; i++)
        CARD_BODY[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[i % 36];
    CARD_BODY[0] = '{', CARD_BODY[CARD_LEN - 1] = '}';
    if (pthread_create(&C.th, NULL, commit_main, NULL) != 0)
        exit(1);
}

enum route { R_HEALTH, R_INLINE, R_CARD, R_NONE };

static enum route route_of(const char *path, size_t n)
{
    if (n == 8 && memcmp(path, "/healthz", 8) == 0)
        return R_HEALTH;
    if (n == 7 && memcmp(path, "/inline", 7) == 0)
        return R_INLINE;
    if (n == 5 && memcmp(path, "/card", 5) == 0)
        return R_CARD;
    return R_NONE;
}

/* The hand-back of raw.c and evhttp.c: the committer puts the batch on a list and writes an
 * eventfd once; the loop thread takes the whole list when the eventfd is readable. */
static int done_efd = -1;
static pthread_mutex_t done_mu = PTHREAD_MUTEX_INITIALIZER;
static struct job *done_head;

static inline void done_to_eventfd(struct job *list) /* committer thread */
{
    struct job *last = list;
    while (last->next)
        last = last->next;
    pthread_mutex_lock(&done_mu);
    last->next = done_head; /* order within one reply pass does not matter */
    done_head = list;
    pthread_mutex_unlock(&done_mu);
    uint64_t one = 1;
    if (write(done_efd, &one, sizeof one) != sizeof one)
        abort();
}

static inline struct job *done_take(void) /* loop thread, done_efd readable */
{
    uint64_t v;
    if (read(done_efd, &v, sizeof v) < 0)
        return NULL;
    pthread_mutex_lock(&done_mu);
    struct job *list = done_head;
    done_head = NULL;
    pthread_mutex_unlock(&done_mu);
    return list;
}

/* route_body - the answer of a route served at once (its body, length and status), or NULL for
 * /card, which waits for the committer */
static inline const char *route_body(enum route r, size_t *n, int *code)
{
    *code = 200;
    switch (r) {
    case R_HEALTH:
        *n = HEALTH_LEN;
        return HEALTH_BODY;
    case R_INLINE:
        *n = CARD_LEN;
        return CARD_BODY;
    case R_CARD:
        *n = 0;
        return NULL;
    default:
        *code = 404, *n = 9;
        return "not found";
    }
}

/* layer_start - argv: [PORT [DIR]]; starts the committer (with_eventfd: its batches come back
 * through done_efd) and returns the port asked for (0 = any) */
static int layer_start(int argc, char **argv, batch_done_fn done, int with_eventfd)
{
    if (with_eventfd)
        done_efd = eventfd(0, EFD_NONBLOCK);
    commit_start(argc > 2 ? argv[2] : "bench/out", done);
    return argc > 1 ? atoi(argv[1]) : 0;
}

/* listen_loopback - a listening socket on 127.0.0.1:port, its port printed ("port N") */
static inline int listen_loopback(int port, int flags)
{
    int ls = socket(AF_INET, SOCK_STREAM | flags, 0), on = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 4096) || getsockname(ls, (struct sockaddr *)&a, &al))
        exit(1);
    printf("port %u\n", ntohs(a.sin_port));
    fflush(stdout);
    return ls;
}
#endif
