/*
 * bench/layers/raw.c - the routes of layer.h on a bare epoll loop: the floor of an HTTP layer
 * (well-formed GETs without a body only, no limits: benchmark code). Level-triggered, no
 * epoll_ctl per request; one recv and one send per request; the committer's batch comes back
 * through one eventfd write.
 */
#include "layer.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

struct conn {
    struct job j; /* j.req = the conn itself */
    int fd;
    int waiting; /* in the committer: not read (nor freed) until answered */
    size_t len;
    char buf[4096];
};

static int ep;
static char resp[R_NONE + 1][1024]; /* the whole answer of each route, built once */
static size_t nresp[R_NONE + 1];

static void closeconn(struct conn *c)
{
    close(c->fd);
    free(c);
}

static void reply(struct conn *c, const char *r, size_t n)
{
    if (send(c->fd, r, n, MSG_NOSIGNAL) != (ssize_t)n) /* 1 KB into an empty socket buffer */
        closeconn(c);
}

static int build(char *out, size_t cap, const char *body, size_t n, const char *status)
{
    int h = snprintf(out, cap, "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n", status, n);
    memcpy(out + h, body, n);
    return h + (int)n;
}

static void readable(struct conn *c)
{
    if (c->waiting)
        return;
    ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len - 1, 0);
    if (n <= 0) {
        if (n < 0 && errno == EAGAIN)
            return;
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        closeconn(c);
        return;
    }
    c->len += (size_t)n;
    c->buf[c->len] = 0;
    char *end = strstr(c->buf, "\r\n\r\n");
    if (!end) {
        if (c->len >= sizeof c->buf - 1)
            closeconn(c);
        return;
    }
    char *p = strchr(c->buf, ' ');
    char *q = p ? strchr(p + 1, ' ') : NULL;
    enum route r = p && q ? route_of(p + 1, (size_t)(q - p - 1)) : R_NONE;
    c->len = 0;
    size_t len;
    int code;
    if (route_body(r, &len, &code)) {
        reply(c, resp[r], nresp[r]);
    } else {
        c->waiting = 1;
        commit_push(&c->j);
    }
}

int main(int argc, char **argv)
{
    int port = layer_start(argc, argv, done_to_eventfd, 1), on = 1;
    for (enum route r = R_HEALTH; r <= R_NONE; r++) {
        size_t n;
        int code;
        const char *body = route_body(r, &n, &code);
        if (!body) /* /card: answered when its batch is durable */
            body = CARD_BODY, n = CARD_LEN;
        nresp[r] = (size_t)build(resp[r], sizeof resp[r], body, n, code == 200 ? "200 OK" : "404 Not Found");
    }
    int ls = listen_loopback(port, SOCK_NONBLOCK);
    ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    struct epoll_event wake = {.events = EPOLLIN, .data.ptr = &done_efd};
    epoll_ctl(ep, EPOLL_CTL_ADD, done_efd, &wake);
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            void *p = evs[i].data.ptr;
            if (p == NULL) {
                int fd;
                while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
                    struct conn *c = calloc(1, sizeof *c);
                    c->fd = fd;
                    c->j.req = c;
                    struct epoll_event ce = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ce);
                }
            } else if (p == &done_efd) {
                struct job *list = done_take();
                while (list) {
                    struct job *next = list->next;
                    ((struct conn *)list->req)->waiting = 0;
                    reply(list->req, resp[R_CARD], nresp[R_CARD]);
                    list = next;
                }
            } else {
                readable(p);
            }
        }
    }
}
