/*
 * bench/layers/mhd.c - the routes of layer.h on libmicrohttpd as kaigo uses it: one internal
 * epoll thread, the two-call handler, the card request suspended while the committer syncs and
 * resumed by it (MHD_resume_connection from the committer thread).
 */
#include "layer.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

enum { NEW = 0, WAITING, DONE };
struct mjob {
    struct job j;
    int state;
};
static int immediate;

static void done(struct job *list)
{
    while (list) {
        struct job *next = list->next;
        struct mjob *m = (struct mjob *)list;
        struct MHD_Connection *c = m->j.req;
        m->state = DONE;
        MHD_resume_connection(c); /* m may be freed by the loop thread from here on */
        list = next;
    }
}

static enum MHD_Result answer(struct MHD_Connection *c, const char *body, size_t n, unsigned code)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(n, (void *)body, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ok = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upsz, void **ptr)
{
    (void)cls, (void)method, (void)version, (void)upload, (void)upsz;
    enum route r = route_of(url, strlen(url));
    struct mjob *m = *ptr;
    if (m == NULL) { /* the first call: headers only */
        if (r == R_CARD) {
            m = calloc(1, sizeof *m);
            m->j.req = c;
            *ptr = m;
        } else {
            *ptr = &immediate;
        }
        return MHD_YES;
    }
    if ((void *)m == &immediate) {
        size_t n;
        int code;
        const char *body = route_body(r, &n, &code);
        return answer(c, body, n, (unsigned)code);
    }
    if (m->state == NEW) {
        m->state = WAITING;
        MHD_suspend_connection(c);
        commit_push(&m->j);
        return MHD_YES;
    }
    free(m);
    *ptr = NULL;
    return answer(c, CARD_BODY, CARD_LEN, MHD_HTTP_OK);
}

int main(int argc, char **argv)
{
    int port = layer_start(argc, argv, done, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL, handler, NULL,
        MHD_OPTION_SOCK_ADDR, &a, MHD_OPTION_THREAD_POOL_SIZE, 1u, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)16384, MHD_OPTION_CONNECTION_LIMIT, 16384u, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (!d)
        return 1;
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("port %u\n", i->port);
    fflush(stdout);
    for (;;)
        pause();
}
