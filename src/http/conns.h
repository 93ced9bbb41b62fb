/*
 * conns.h - every open connection and the deadline of the request head it is receiving
 * (security.md P21: a client that sends a header line every few seconds must not hold a
 * connection - and, with enough of them, the server - for ever).
 *
 * libmicrohttpd 0.9.75 only knows an idle timeout, which each received byte restarts. Here a
 * request's head must be complete within head_timeout_s of the connection's start, and the next
 * request's within CONN_TIMEOUT_S (the idle allowance of a keep-alive connection) of the end of
 * the previous one. A watchdog thread shuts a late connection's socket down; libmicrohttpd then
 * sees the end of the stream and closes it as usual (its own cleanup, its own callbacks).
 *
 * Ownership: the slot of a connection is made at MHD_CONNECTION_NOTIFY_STARTED and freed at
 * NOTIFY_CLOSED, both under the list's lock, which the watchdog also holds while it touches a
 * socket - so it never shuts down a descriptor that has been closed and reused.
 */
#ifndef KAIGO_HTTP_CONNS_H
#define KAIGO_HTTP_CONNS_H

#include <microhttpd.h>

/* conns_start - the watchdog; head_timeout_s for a new connection's first head. A new
 * connection that takes its address over per_address, or all of them over soft, makes room: an
 * idle connection (between requests, or its head incomplete) is shut down - its address's own
 * first, else one of the address holding the most - so that one address cannot lock others
 * out and a newcomer from a busy address is still served. -1 on failure. */
int conns_start(unsigned head_timeout_s, unsigned per_address, unsigned soft);
void conns_stop(void);
/* for MHD_OPTION_NOTIFY_CONNECTION */
void conns_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                  enum MHD_ConnectionNotificationCode toe);
/* conns_head_done - the head of the connection's request is complete (first handler call). */
void conns_head_done(struct MHD_Connection *c);
/* conns_request_done - its request ended: the next head is due within CONN_TIMEOUT_S. */
void conns_request_done(struct MHD_Connection *c);
/* conns_closed_late - connections shut down for a late head so far (tests, the log). */
unsigned long long conns_closed_late(void);
/* conns_evicted - connections shut down to make room so far; conns_open - open now. */
unsigned long long conns_evicted(void);
unsigned conns_open(void);

#endif
