/*
 * tls.h - HTTPS served by libmicrohttpd over GnuTLS (tls_cert, tls_key), and office client
 * certificates (tls_client_ca): when a CA is configured, libmicrohttpd asks every client for a
 * certificate (optional in the handshake), and a request with an office's API token must come
 * with a certificate issued by that CA naming the token's office (CN = 事業所番号, or the
 * 保険者番号 of a 市町村's software): the token and the certificate are two factors, as the
 * national WEB service authenticates offices by certificate. People's browsers (sessions) need
 * no certificate.
 */
#ifndef KAIGO_HTTP_TLS_H
#define KAIGO_HTTP_TLS_H

#include <stddef.h>

struct MHD_Connection;

/* tls_peer - the client certificate of conn: 1 and its subject's CN in cn when it verifies
 * against the configured CA (chain, validity period), 0 when none was presented, -1 when one
 * was presented and does not verify (or no TLS). */
int tls_peer(struct MHD_Connection *conn, char *cn, size_t cap);

#endif
