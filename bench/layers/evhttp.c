/*
 * bench/layers/evhttp.c - the routes of layer.h on libevent's evhttp: one event_base thread; a
 * card request is kept and answered on the loop thread when the committer's batch comes back
 * through one eventfd write.
 */
#include "layer.h"
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>


static void answer(struct evhttp_request *req, const char *body, size_t n, int code)
{
    struct evbuffer *b = evbuffer_new();
    evbuffer_add_reference(b, body, n, NULL, NULL);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    evhttp_send_reply(req, code, code == 200 ? "OK" : "Not Found", b);
    evbuffer_free(b);
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what, (void)arg;
    struct job *list = done_take();
    while (list) {
        struct job *next = list->next;
        answer(list->req, CARD_BODY, CARD_LEN, 200);
        free(list);
        list = next;
    }
}

static void on_request(struct evhttp_request *req, void *arg)
{
    (void)arg;
    const char *uri = evhttp_request_get_uri(req);
    size_t n = strcspn(uri, "?");
    int code;
    const char *body = route_body(route_of(uri, n), &n, &code);
    if (body) {
        answer(req, body, n, code);
        return;
    }
    struct job *j = calloc(1, sizeof *j);
    j->req = req;
    commit_push(j);
}

int main(int argc, char **argv)
{
    int port = layer_start(argc, argv, done_to_eventfd, 1);
    struct event_base *base = event_base_new();
    struct evhttp *http = evhttp_new(base);
    evhttp_set_gencb(http, on_request, NULL);
    struct evhttp_bound_socket *h = evhttp_bind_socket_with_handle(http, "127.0.0.1", (ev_uint16_t)port);
    if (!h)
        return 1;
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    getsockname(evhttp_bound_socket_get_fd(h), (struct sockaddr *)&a, &al);
    printf("port %u\n", ntohs(a.sin_port));
    fflush(stdout);
    struct event *w = event_new(base, done_efd, EV_READ | EV_PERSIST, on_wake, NULL);
    event_add(w, NULL);
    event_base_dispatch(base);
    return 0;
}
