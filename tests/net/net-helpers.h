/*
 * net-helpers.h - what the net suites (tests/net/) need beyond the shared
 * helpers of tests/helpers.h (nt_*, NT_*):
 *  - the interfaces of the caller's network namespace (/proc/self/net/dev);
 *  - whether an interface is UP, from `ip -o link`, here or in a child's
 *    namespace through nsenter;
 *  - the sleeping payload the suites spawn, fork-style under valgrind.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef NSBOX_NET_HELPERS_H
#define NSBOX_NET_HELPERS_H

#include "helpers.h"

/* "lo nsth0 ..." : the interfaces of the caller's network namespace. */
void nh_links(char *buf, size_t size);
/* Wait up to @ms for the interfaces to be @want; returns 1 if they are. */
int nh_links_become(const char *want, int ms);
/* Whether interface @name's flag list (ip -o link) has UP: in the caller's
 * namespace (pid 0) or via nsenter in @pid's. */
int nh_link_up(pid_t pid, const char *name);
/* The same, entering @pid's user namespace first (an unprivileged caller
 * that owns it). */
int nh_link_up_user(pid_t pid, const char *name);

/* NSBOX_SPAWN_FORK under valgrind, which aborts on clone(CLONE_VM) without
 * CLONE_VFORK (the library's way when the parent has work to do), else 0. */
uint32_t nh_spawn_flags(void);
/* A config running /bin/sleep 60 in namespaces @ns, with nh_spawn_flags(). */
nsbox_config *nh_sleep_cfg(uint32_t ns);

#endif
