/*
 * metrics.h - what /metrics shows (Prometheus text format 0.0.4, for the operator only) and
 * what /readyz decides on. Request counters live here, one set per route of the route table
 * (and one for URLs that match none), kept with relaxed atomics: a request's completion adds
 * to them without a lock. Owned by the server: metrics_init before the daemon starts,
 * metrics_free after it stopped. Labels are route patterns, never a URL (URLs carry personal
 * numbers).
 */
#ifndef KAIGO_HTTP_METRICS_H
#define KAIGO_HTTP_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct route;

void metrics_init(size_t nroutes);
void metrics_free(void);
/* metrics_request - one finished request: its route (NULL: none matched), status, time */
void metrics_request(const struct route *route, unsigned status, long us);
/* disk_free_bytes - free space for kaigo (f_bavail) on the filesystem holding path; -1 if unknown */
int64_t disk_free_bytes(const char *path);

struct req;
int h_metrics(struct req *r);
int h_readyz(struct req *r);

#endif
