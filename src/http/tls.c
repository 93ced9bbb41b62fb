/* tls.c - see tls.h. */
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <string.h>

#include "http/tls.h"
#include "util/banned.h"

int tls_peer(struct MHD_Connection *conn, char *cn, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (!ci || !ci->tls_session)
        return -1;
    gnutls_session_t s = (gnutls_session_t)ci->tls_session;
    unsigned n = 0;
    const gnutls_datum_t *chain = gnutls_certificate_get_peers(s, &n);
    if (!chain || n == 0)
        return 0;
    unsigned status = 0;
    /* the chain against the trust list libmicrohttpd was given (MHD_OPTION_HTTPS_MEM_TRUST),
     * with the validity period and key usage for a TLS client */
    if (gnutls_certificate_verify_peers2(s, &status) != GNUTLS_E_SUCCESS || status != 0)
        return -1;
    gnutls_x509_crt_t crt;
    if (gnutls_x509_crt_init(&crt) != GNUTLS_E_SUCCESS)
        return -1;
    int rc = -1;
    size_t len = cap;
    if (gnutls_x509_crt_import(crt, &chain[0], GNUTLS_X509_FMT_DER) == GNUTLS_E_SUCCESS &&
        gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &len) ==
            GNUTLS_E_SUCCESS &&
        len < cap && memchr(cn, '\0', len) == NULL) {
        cn[len] = '\0';
        rc = 1;
    }
    gnutls_x509_crt_deinit(crt);
    return rc;
}
