/* Who may ask: the client access list of allow=CIDR and deny=CIDR.
 * Rules are IPv4 or IPv6 prefixes ("192.0.2.0/24", "2001:db8::/32"; a bare address is
 * a /32 or /128; host bits beyond the prefix are ignored, "10.1.2.3/8" is 10/8).  A
 * client is judged by the longest prefix that covers it; at equal prefixes deny wins.
 * A client no rule covers is refused.  An IPv4-mapped IPv6 client (::ffff:a.b.c.d, a
 * dual-stack socket) is judged as the IPv4 client a.b.c.d, and a rule written as a
 * mapped prefix (::ffff:0:0/96 and longer) is an IPv4 rule.  IPv6 rules never cover
 * IPv4 clients (::/0 is "all IPv6").
 * Built in, as Unbound's access-control defaults: allow 127.0.0.0/8 and ::1/128.  With
 * no rule configured only localhost may ask (no open resolver by accident); configured
 * rules add to these, and a deny of the same prefix (deny=127.0.0.0/8) or a longer one
 * overrides them.
 * Lookup: rules are grouped by prefix length, longest first, each group sorted, so a
 * check is one binary search per distinct prefix length (at most 33 for IPv4, 129 for
 * IPv6): O(L log n).  Built once, then only read (safe to share between threads). */
#ifndef OWNDNS_SERVER_POLICY_ACL_H
#define OWNDNS_SERVER_POLICY_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

typedef struct acl acl;

enum acl_action { ACL_DENY = 0, ACL_ALLOW = 1 };

/* An access list holding the built-in localhost rules, or NULL when out of memory. */
acl *acl_new(void);
void acl_free(acl *a);

/* Adds allow=TEXT or deny=TEXT.  A bad value writes "allow=TEXT: problem" (or deny=)
 * into err (always NUL-terminated when err_size > 0) and returns EINVAL (also for a
 * scoped address "fe80::1%eth0": a scope is not a prefix); ENOMEM; ESTATE after
 * acl_finish. */
int acl_add(acl *a, enum acl_action action, const char *text, char *err, size_t err_size);

/* Sorts the rules for lookups; call once after the last acl_add.  Errors: ENOMEM. */
int acl_finish(acl *a);

/* True when `client` (AF_INET or AF_INET6; any other family is refused) may ask.
 * `a` must be finished. */
bool acl_allows(const acl *a, const struct sockaddr *client);

#endif
