/*
 * bench/layers/h2o.c - the routes of layer.h on H2O's library (libh2o-evloop, HTTP/1.1 here):
 * one evloop thread; a card request is kept and answered on the loop thread when the
 * committer's batch comes back through H2O's multithread queue (one wake-up while it is non-empty).
 */
#include "layer.h"
#include <h2o.h>
#include <netinet/in.h>
#include <sys/socket.h>

struct hjob {
    struct job j; /* j.req: the h2o_req_t, or NULL once H2O disposed of it (client gone) */
    struct hjob **slot;
    h2o_multithread_message_t msg;
};

static h2o_globalconf_t config;
static h2o_context_t ctx;
static h2o_accept_ctx_t accept_ctx;
static h2o_multithread_receiver_t receiver;

static void answer(h2o_req_t *req, const char *body, size_t n, int code)
{
    req->res.status = code;
    req->res.reason = code == 200 ? "OK" : "Not Found";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("application/json"));
    h2o_send_inline(req, body, n);
}

static void on_dispose(void *p)
{
    struct hjob **slot = p;
    if (*slot)
        (*slot)->j.req = NULL;
}

static void done(struct job *list) /* committer thread */
{
    while (list) {
        struct job *next = list->next;
        h2o_multithread_send_message(&receiver, &((struct hjob *)list)->msg);
        list = next;
    }
}

static void on_messages(h2o_multithread_receiver_t *r, h2o_linklist_t *messages) /* loop thread */
{
    (void)r;
    while (!h2o_linklist_is_empty(messages)) {
        h2o_multithread_message_t *m = H2O_STRUCT_FROM_MEMBER(h2o_multithread_message_t, link, messages->next);
        h2o_linklist_unlink(&m->link);
        struct hjob *hj = H2O_STRUCT_FROM_MEMBER(struct hjob, msg, m);
        if (hj->j.req) {
            *hj->slot = NULL;
            answer(hj->j.req, CARD_BODY, CARD_LEN, 200);
        }
        free(hj);
    }
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    size_t n = req->path.len;
    const char *q = memchr(req->path.base, '?', n);
    if (q)
        n = (size_t)(q - req->path.base);
    int code;
    const char *body = route_body(route_of(req->path.base, n), &n, &code);
    if (body) {
        answer(req, body, n, code);
        return 0;
    }
    struct hjob *hj = calloc(1, sizeof *hj);
    hj->j.req = req;
    hj->slot = h2o_mem_alloc_shared(&req->pool, sizeof *hj->slot, on_dispose);
    *hj->slot = hj;
    commit_push(&hj->j);
    return 0;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    h2o_socket_t *sock;
    if (err)
        return;
    while ((sock = h2o_evloop_socket_accept(listener)) != NULL)
        h2o_accept(&accept_ctx, sock);
}

int main(int argc, char **argv)
{
    h2o_config_init(&config);
    h2o_hostconf_t *host = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *h = h2o_create_handler(path, sizeof *h);
    h->on_req = on_req;
    h2o_evloop_t *loop = h2o_evloop_create();
    h2o_context_init(&ctx, loop, &config);
    accept_ctx.ctx = &ctx;
    accept_ctx.hosts = config.hosts;
    h2o_multithread_register_receiver(ctx.queue, &receiver, on_messages);
    int ls = listen_loopback(layer_start(argc, argv, done, 0), 0);
    h2o_socket_t *sock = h2o_evloop_socket_create(loop, ls, H2O_SOCKET_FLAG_DONT_READ);
    h2o_socket_read_start(sock, on_accept);
    while (h2o_evloop_run(loop, INT32_MAX) == 0)
        ;
    return 0;
}
