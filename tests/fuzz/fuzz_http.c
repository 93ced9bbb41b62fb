/* fuzz_http.c - libFuzzer target for the HTTP request path: the real server (libmicrohttpd, the
 * framing checks, routing, authentication, the body limits and readers, the handlers) runs in
 * this process on a loopback port over a fresh database; each input is sent as the raw bytes of
 * a connection, then its write side is closed and the answer read to the end. ASan/UBSan watch
 * the server's threads, and an answer that is not HTTP traps.
 * The operator token is fixed (64 'a's) so seeds can reach authenticated routes. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/server.h"
#include "store/store.h"
#include "util/log.h"
#include "../unit/testdb.h"

static unsigned port;
static char dir[] = "/tmp/kaigo-fuzz-http-XXXXXX";
static char db[96];
static const char token[] =
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static struct server_config cfg;

/* at exit: the temporary database goes (the server's threads end with the process) */
static void remove_db(void)
{
    testdb_remove(db);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!mkdtemp(dir))
        abort();
    snprintf(db, sizeof db, "%s/k.db", dir);
    struct store *st = store_open(db, false);
    int created;
    if (!st || store_insurer_ensure(st, "122192", "fuzz", &created))
        abort();
    store_close(st);
    atexit(remove_db);
    log_set_quiet(1);
    cfg = (struct server_config){.db = db, .host = "127.0.0.1", .port = 0, .token = token,
                                 .threads = 2, .access_log = false, .verify_per_minute = 60,
                                 .head_timeout_s = 2};
    if (server_start(&cfg, &port))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a)) {
        if (s >= 0)
            close(s);
        return 0; /* out of ports or descriptors: not the server's fault */
    }
    size_t off = 0;
    while (off < size) {
        ssize_t w = send(s, data + off, size - off, MSG_NOSIGNAL);
        if (w <= 0)
            break; /* the server may answer and close before reading it all */
        off += (size_t)w;
    }
    /* a last request that asks to close: the connection then ends as soon as the server is
     * through with the input, instead of idling kept-alive (half-closing alone does not end a
     * libmicrohttpd 0.9.75 connection under edge-triggered epoll) */
    static const char last[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    if (off == size)
        send(s, last, sizeof last - 1, MSG_NOSIGNAL);
    shutdown(s, SHUT_WR);
    char buf[4096];
    size_t got = 0;
    char first[8] = "";
    for (;;) {
        struct pollfd p = {s, POLLIN, 0};
        /* not judged here: how long the server waits (a body announced longer than sent is
         * waited for until the idle timeout, as it should be; tests/e2e covers the deadlines) */
        int n = poll(&p, 1, got ? 200 : 1000);
        if (n == 0)
            break;
        ssize_t r = recv(s, buf, sizeof buf, 0);
        if (r <= 0)
            break;
        if (got < 5)
            memcpy(first + got, buf, (size_t)r < 5 - got ? (size_t)r : 5 - got);
        got += (size_t)r;
    }
    close(s);
    /* something sent: the answer, if any, is HTTP */
    if (got && memcmp(first, "HTTP/", got < 5 ? got : 5) != 0)
        __builtin_trap();
    return 0;
}
