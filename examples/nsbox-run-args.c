/*
 * nsbox-run-args.c - parse nsbox-run's command line and apply it to an
 * nsbox_config. See nsbox-run-args.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "nsbox-run-args.h"

/* Long-only options: values past any char. */
enum {
	OPT_MAP_USER = 0x100,
	OPT_MAP_GROUP,
	OPT_MOUNT_PROC,
	OPT_HOSTNAME,
	OPT_DOMAINNAME,
	OPT_JOIN,
	OPT_JOIN_NS,
	OPT_PROPAGATION,
	OPT_UNSHARE_ALL,
	OPT_FORK_STYLE,
	OPT_NO_CLONE3,
	OPT_EXIT_SIGNAL,
	/* filesystem */
	OPT_BIND,
	OPT_BIND_TRY,
	OPT_RO_BIND,
	OPT_RO_BIND_TRY,
	OPT_DEV_BIND,
	OPT_DEV_BIND_TRY,
	OPT_TMPFS,
	OPT_SIZE,
	OPT_PERMS,
	OPT_PROC,
	OPT_SYSFS,
	OPT_DEV,
	OPT_MQUEUE,
	OPT_DIR,
	OPT_SYMLINK,
	OPT_REMOUNT_RO,
	OPT_FILE,
	OPT_ROOT,
	OPT_ROOT_RO,
	/* network */
	OPT_NO_LOOPBACK,
	OPT_VETH,
	OPT_ADDR,
	/* process */
	OPT_INIT,
	OPT_AS_PID_1,
	OPT_DIE_WITH_PARENT,
	OPT_NEW_SESSION,
	OPT_CHDIR,
	OPT_SETENV,
	OPT_UNSETENV,
	OPT_CLEARENV,
	OPT_CLOSE_FDS,
	OPT_RLIMIT,
	/* credentials */
	OPT_UID,
	OPT_GID,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_NO_NEW_PRIVS,
	OPT_SECCOMP,
	/* cgroups and time */
	OPT_CGROUP_PATH,
	OPT_MONOTONIC,
	OPT_BOOTTIME,
};

/* "+": stop at the first non-option, as unshare(1) does, so that the
 * command's own options are left alone. ":": report a missing argument as
 * ':' rather than '?'. */
static const char short_options[] = "+:UmuinpCTrhV";

static const struct option long_options[] = {
	{ "user", no_argument, NULL, 'U' },
	{ "mount", no_argument, NULL, 'm' },
	{ "uts", no_argument, NULL, 'u' },
	{ "ipc", no_argument, NULL, 'i' },
	{ "net", no_argument, NULL, 'n' },
	{ "pid", no_argument, NULL, 'p' },
	{ "cgroup", no_argument, NULL, 'C' },
	{ "time", no_argument, NULL, 'T' },
	{ "unshare-user", no_argument, NULL, 'U' }, /* bwrap's spellings */
	{ "unshare-uts", no_argument, NULL, 'u' },
	{ "unshare-ipc", no_argument, NULL, 'i' },
	{ "unshare-net", no_argument, NULL, 'n' },
	{ "unshare-pid", no_argument, NULL, 'p' },
	{ "unshare-cgroup", no_argument, NULL, 'C' },
	{ "unshare-all", no_argument, NULL, OPT_UNSHARE_ALL },
	{ "map-root-user", no_argument, NULL, 'r' },
	{ "map-root", no_argument, NULL, 'r' },
	{ "map-user", required_argument, NULL, OPT_MAP_USER },
	{ "map-group", required_argument, NULL, OPT_MAP_GROUP },
	{ "mount-proc", no_argument, NULL, OPT_MOUNT_PROC },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "domainname", required_argument, NULL, OPT_DOMAINNAME },
	{ "propagation", required_argument, NULL, OPT_PROPAGATION },
	{ "join", required_argument, NULL, OPT_JOIN },
	{ "join-ns", required_argument, NULL, OPT_JOIN_NS },
	{ "fork-style", no_argument, NULL, OPT_FORK_STYLE },
	{ "no-clone3", no_argument, NULL, OPT_NO_CLONE3 },
	{ "exit-signal", required_argument, NULL, OPT_EXIT_SIGNAL },
	{ "bind", required_argument, NULL, OPT_BIND },
	{ "bind-try", required_argument, NULL, OPT_BIND_TRY },
	{ "ro-bind", required_argument, NULL, OPT_RO_BIND },
	{ "ro-bind-try", required_argument, NULL, OPT_RO_BIND_TRY },
	{ "dev-bind", required_argument, NULL, OPT_DEV_BIND },
	{ "dev-bind-try", required_argument, NULL, OPT_DEV_BIND_TRY },
	{ "tmpfs", required_argument, NULL, OPT_TMPFS },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "perms", required_argument, NULL, OPT_PERMS },
	{ "proc", required_argument, NULL, OPT_PROC },
	{ "sysfs", required_argument, NULL, OPT_SYSFS },
	{ "dev", required_argument, NULL, OPT_DEV },
	{ "mqueue", required_argument, NULL, OPT_MQUEUE },
	{ "dir", required_argument, NULL, OPT_DIR },
	{ "symlink", required_argument, NULL, OPT_SYMLINK },
	{ "remount-ro", required_argument, NULL, OPT_REMOUNT_RO },
	{ "file", required_argument, NULL, OPT_FILE },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "root-ro", no_argument, NULL, OPT_ROOT_RO },
	{ "no-loopback", no_argument, NULL, OPT_NO_LOOPBACK },
	{ "veth", required_argument, NULL, OPT_VETH },
	{ "addr", required_argument, NULL, OPT_ADDR },
	{ "init", no_argument, NULL, OPT_INIT },
	{ "as-pid-1", no_argument, NULL, OPT_AS_PID_1 },
	{ "die-with-parent", no_argument, NULL, OPT_DIE_WITH_PARENT },
	{ "new-session", no_argument, NULL, OPT_NEW_SESSION },
	{ "chdir", required_argument, NULL, OPT_CHDIR },
	{ "setenv", required_argument, NULL, OPT_SETENV },
	{ "unsetenv", required_argument, NULL, OPT_UNSETENV },
	{ "clearenv", no_argument, NULL, OPT_CLEARENV },
	{ "close-fds", no_argument, NULL, OPT_CLOSE_FDS },
	{ "rlimit", required_argument, NULL, OPT_RLIMIT },
	{ "uid", required_argument, NULL, OPT_UID },
	{ "gid", required_argument, NULL, OPT_GID },
	{ "cap-add", required_argument, NULL, OPT_CAP_ADD },
	{ "cap-drop", required_argument, NULL, OPT_CAP_DROP },
	{ "no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS },
	{ "seccomp", required_argument, NULL, OPT_SECCOMP },
	{ "cgroup-path", required_argument, NULL, OPT_CGROUP_PATH },
	{ "monotonic", required_argument, NULL, OPT_MONOTONIC },
	{ "boottime", required_argument, NULL, OPT_BOOTTIME },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void run_args_usage(FILE *out)
{
	fputs("Usage: nsbox-run [OPTION]... [--] [COMMAND [ARG]...]\n"
	      "Run COMMAND in new or joined namespaces, like unshare(1) and bwrap(1), with libnsbox.\n"
	      "COMMAND (default: $SHELL, else /bin/sh) is looked up in nsbox-run's PATH, on the\n"
	      "host even with a new root (give a path inside the new root there). It runs as\n"
	      "nsbox-run's child (with -p, as pid 1 of the new PID namespace) and nsbox-run waits.\n"
	      "\n"
	      "Namespaces to create:\n"
	      "  -U, --user                a user namespace (alone: nobody inside; see -r)\n"
	      "  -m, --mount               a mount namespace (\"/\" is made private first)\n"
	      "  -u, --uts                 a UTS namespace (hostname, NIS domain name)\n"
	      "  -i, --ipc                 an IPC namespace\n"
	      "  -n, --net                 a network namespace (its loopback up; see --no-loopback)\n"
	      "  -p, --pid                 a PID namespace: COMMAND is its pid 1\n"
	      "  -C, --cgroup              a cgroup namespace\n"
	      "  -T, --time                a time namespace (Linux 5.6+)\n"
	      "      --unshare-user, --unshare-uts, --unshare-ipc, --unshare-net, --unshare-pid,\n"
	      "      --unshare-cgroup      bwrap's names for -U, -u, -i, -n, -p, -C\n"
	      "      --unshare-all         all of -U -m -u -i -n -p -C, like bwrap\n"
	      "\n"
	      "User namespace maps (each implies -U and denies setgroups):\n"
	      "  -r, --map-root-user       map your uid and gid to root (0) inside\n"
	      "      --map-root            the same as -r\n"
	      "      --map-user=UID        map your uid to UID inside (with -r: the uid only)\n"
	      "      --map-group=GID       map your gid to GID inside (with -r: the gid only)\n"
	      "\n"
	      "Inside the namespaces:\n"
	      "      --mount-proc          mount a fresh /proc (implies -m; needs -p or a joined PID ns)\n"
	      "      --hostname=NAME       set the hostname (needs -u or a joined UTS ns)\n"
	      "      --domainname=NAME     set the NIS domain name (the same)\n"
	      "      --propagation=MODE    of \"/\" (needs -m): private (default), slave, shared, unchanged\n"
	      "\n"
	      "Filesystem, in command-line order (each implies -m and a new root: an empty tmpfs\n"
	      "that becomes \"/\", as in bwrap; DEST is a path inside it, SRC a host path):\n"
	      "      --bind SRC DEST       bind-mount SRC on DEST, with the mounts under it\n"
	      "      --bind-try SRC DEST   the same; nothing when SRC does not exist\n"
	      "      --ro-bind SRC DEST    a read-only bind (the mounts under it too)\n"
	      "      --ro-bind-try SRC DEST  a read-only bind; nothing when SRC does not exist\n"
	      "      --dev-bind SRC DEST   a bind that allows device nodes\n"
	      "      --dev-bind-try SRC DEST  the same; nothing when SRC does not exist\n"
	      "      --tmpfs DEST          mount a new tmpfs (mode 0755, or --perms)\n"
	      "      --size BYTES          size limit of the next --tmpfs (may end in K, M or G)\n"
	      "      --perms OCTAL         permissions of the next --tmpfs, --dir or --file\n"
	      "      --proc DEST           mount a new proc (with -p: only its processes)\n"
	      "      --sysfs DEST          mount a new read-only sysfs (unprivileged: with -n)\n"
	      "      --dev DEST            a minimal /dev: null zero full random urandom tty pts shm fd\n"
	      "      --mqueue DEST         mount a POSIX message queue file system (with -i)\n"
	      "      --dir DEST            create a directory (mode 0755, or --perms)\n"
	      "      --symlink SRC DEST    create the symlink DEST pointing to SRC\n"
	      "      --file FD DEST        create DEST holding what nsbox-run reads from FD (mode 0666)\n"
	      "      --remount-ro DEST     make the mount on DEST read-only, the mounts under it too\n"
	      "      --root DIR            build the new root on host directory DIR, not a tmpfs\n"
	      "      --root-ro             make the new root read-only once it is built\n"
	      "\n"
	      "Network (each needs -n):\n"
	      "      --no-loopback         leave lo of the new network namespace down\n"
	      "      --veth HOST:CHILD     a veth pair: HOST stays here, CHILD is inside (CAP_NET_ADMIN)\n"
	      "      --addr IF=CIDR        an address of a veth end, e.g. eth0=10.0.0.2/24 (repeatable)\n"
	      "\n"
	      "Process:\n"
	      "      --init                a small init is pid 1 (reaps, forwards signals); needs -p\n"
	      "      --as-pid-1            COMMAND itself is pid 1 (the default; bwrap's spelling)\n"
	      "      --die-with-parent     kill COMMAND (SIGKILL) when nsbox-run dies\n"
	      "      --new-session         start COMMAND in a new session (setsid: no TIOCSTI)\n"
	      "      --chdir DIR           working directory of COMMAND (in the new root); sets PWD\n"
	      "      --setenv VAR VALUE    set VAR in COMMAND's environment\n"
	      "      --unsetenv VAR        remove VAR from COMMAND's environment\n"
	      "      --clearenv            empty the environment (later --setenv still apply)\n"
	      "      --close-fds           close every descriptor from 3 up in COMMAND\n"
	      "      --rlimit RES=N[:HARD] a limit by prlimit(1) name: nofile=1024, core=0:unlimited\n"
	      "\n"
	      "Credentials and confinement:\n"
	      "      --uid UID             the uid COMMAND runs as (see below)\n"
	      "      --gid GID             the gid COMMAND runs as (see below)\n"
	      "      --cap-drop CAP|ALL    drop a capability (CAP_NET_ADMIN, net_admin or 12) or all\n"
	      "      --cap-add CAP|ALL     keep a capability, also for a non-root uid (ambient)\n"
	      "      --no-new-privs        set no_new_privs: exec never grants privileges again\n"
	      "      --seccomp FD          install the seccomp BPF program (struct sock_filter[]) in FD\n"
	      "\n"
	      "Cgroups and time:\n"
	      "      --cgroup-path DIR     start COMMAND in cgroup v2 directory DIR (-C: namespace)\n"
	      "      --monotonic SECONDS   CLOCK_MONOTONIC offset in the time namespace (implies -T)\n"
	      "      --boottime SECONDS    CLOCK_BOOTTIME offset in the time namespace (implies -T)\n"
	      "\n"
	      "Joining the namespaces of a running process (before creating new ones):\n"
	      "      --join=PID            enter namespaces of process PID\n"
	      "      --join-ns=KINDS       which ones: user,mount,uts,ipc,pid,net,cgroup,time,all or\n"
	      "                            a mask such as 0x12; default: those differing from ours\n"
	      "\n"
	      "Spawning:\n"
	      "      --fork-style          copy nsbox-run's memory until exec (NSBOX_SPAWN_FORK)\n"
	      "      --no-clone3           use clone(2) even where clone3(2) exists\n"
	      "      --exit-signal=N       signal nsbox-run gets when COMMAND ends (SIGCHLD; 0: none)\n"
	      "\n"
	      "  -h, --help                print this help and exit\n"
	      "  -V, --version             print the libnsbox version and exit\n"
	      "\n"
	      "--uid/--gid: with a new user namespace (-U, -r, --map-*, --unshare-all) your uid\n"
	      "and gid are mapped to UID and GID inside (the one not given: to 0 with -r, else to\n"
	      "itself), as bwrap does (--uid not with --map-user, --gid not with --map-group).\n"
	      "Without a new user namespace, COMMAND switches to them (setresuid(2); needs\n"
	      "CAP_SETUID and CAP_SETGID).\n"
	      "--cap-add/--cap-drop apply in order to every capability when COMMAND runs as uid 0\n"
	      "inside, to none otherwise (bwrap's rule); the result is kept in all five sets.\n"
	      "--file FD and --seccomp FD: nsbox-run reads FD to its end before it starts COMMAND,\n"
	      "then closes it (unless 0, 1 or 2). SECONDS may be negative and have a fraction.\n"
	      "\n"
	      "SIGTERM and SIGHUP sent to nsbox-run are passed on to COMMAND; SIGINT and\n"
	      "SIGQUIT are left to the terminal, which sends them to COMMAND too (with\n"
	      "--new-session, which the terminal does not reach, nsbox-run passes them on).\n"
	      "\n"
	      "Exit status: COMMAND's; 128+N if signal N killed it; 125 if nsbox-run failed\n"
	      "(bad usage, or the namespaces could not be set up); 126 if COMMAND could not\n"
	      "be executed; 127 if COMMAND was not found.\n",
	      out);
}

static int fail(char *err, size_t errsize, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
	return -1;
}

/* The name of an option as the user may have typed it, for messages. */
static void option_name(int val, char *buf, size_t size)
{
	const struct option *o;

	if (val > 0 && val < 0x100 && strchr(short_options + 2, val)) {
		snprintf(buf, size, "-%c", val);
		return;
	}
	for (o = long_options; o->name; o++) {
		if (o->val == val) {
			snprintf(buf, size, "--%s", o->name);
			return;
		}
	}
	snprintf(buf, size, "?");
}

/* A decimal (or, with @base 0, also 0x/0 prefixed) number in 0..@max:
 * digits only, no sign, no blanks. */
static int parse_u32(const char *s, int base, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* A decimal number of 64 bits, digits only. */
static int parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* Permissions: octal digits only, at most 07777. */
static int parse_perms(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	size_t i;

	if (!*s)
		return -1;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -1;
		v = v * 8 + (uint32_t)(s[i] - '0');
		if (v > 07777)
			return -1;
	}
	*out = v;
	return 0;
}

/* Bytes: digits, then optionally one of K, M, G (powers of 1024); not 0. */
static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end != '\0') {
		switch (*end) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: return -1;
		}
		if (end[1] != '\0')
			return -1;
	}
	if (v == 0 || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

/* Seconds for a clock offset: [-]DIGITS[.DIGITS], at most 9 digits after
 * the point, into whole seconds and 0 <= nanoseconds < 10^9 (-1.5 is -2 s
 * and 500000000 ns). */
static int parse_offset(const char *s, int64_t *sec, int64_t *nsec)
{
	long long whole;
	int64_t frac = 0;
	int neg = 0, digits = 0;
	char *end;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	whole = strtoll(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end == '.') {
		for (end++; *end >= '0' && *end <= '9'; end++) {
			if (++digits > 9)
				return -1;
			frac = frac * 10 + (*end - '0');
		}
		if (digits == 0)
			return -1;
		for (; digits < 9; digits++)
			frac *= 10;
	}
	if (*end != '\0')
		return -1;
	if (!neg) {
		*sec = whole;
		*nsec = frac;
	} else if (frac == 0) {
		*sec = -whole;
		*nsec = 0;
	} else {
		*sec = -whole - 1;
		*nsec = 1000000000 - frac;
	}
	return 0;
}

static const struct {
	const char *name;
	uint32_t ns;
} ns_names[] = {
	{ "user", NSBOX_NS_USER },
	{ "mount", NSBOX_NS_MOUNT },
	{ "mnt", NSBOX_NS_MOUNT }, /* as in /proc/PID/ns/ */
	{ "uts", NSBOX_NS_UTS },
	{ "ipc", NSBOX_NS_IPC },
	{ "pid", NSBOX_NS_PID },
	{ "net", NSBOX_NS_NET },
	{ "cgroup", NSBOX_NS_CGROUP },
	{ "time", NSBOX_NS_TIME },
	{ "all", NSBOX_NS_ALL },
};

/* "user,net,uts" or a mask such as "0x32"; never empty. */
static int parse_ns_list(const char *s, uint32_t *out)
{
	uint32_t mask = 0;

	if (*s >= '0' && *s <= '9') {
		if (parse_u32(s, 0, NSBOX_NS_ALL, &mask) < 0 || mask == 0)
			return -1;
		*out = mask;
		return 0;
	}
	for (;;) {
		size_t len = strcspn(s, ",");
		size_t i;

		for (i = 0; i < sizeof(ns_names) / sizeof(ns_names[0]); i++) {
			const char *name = ns_names[i].name;

			if (strlen(name) == len && strncmp(s, name, len) == 0)
				break;
		}
		if (i == sizeof(ns_names) / sizeof(ns_names[0]))
			return -1; /* unknown or empty name */
		mask |= ns_names[i].ns;
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	*out = mask;
	return 0;
}

static int parse_propagation(const char *s, uint32_t *out)
{
	static const char *const names[] = {
		[NSBOX_PROPAGATION_PRIVATE] = "private",
		[NSBOX_PROPAGATION_SLAVE] = "slave",
		[NSBOX_PROPAGATION_SHARED] = "shared",
		[NSBOX_PROPAGATION_UNCHANGED] = "unchanged",
	};
	uint32_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

/* capabilities(7), by number. */
static const char *const cap_names[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid",
	"setuid", "setpcap", "linux_immutable", "net_bind_service", "net_broadcast",
	"net_admin", "net_raw", "ipc_lock", "ipc_owner", "sys_module", "sys_rawio",
	"sys_chroot", "sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
	"sys_resource", "sys_time", "sys_tty_config", "mknod", "lease", "audit_write",
	"audit_control", "setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
	"block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
};

/* "ALL", "CAP_NET_ADMIN", "net_admin" (any case) or a number 0..63: a mask
 * of one bit, or every bit for ALL. */
static int parse_cap(const char *s, uint64_t *mask)
{
	uint32_t n;
	size_t i;

	if (strcasecmp(s, "all") == 0) {
		*mask = UINT64_MAX;
		return 0;
	}
	if (*s >= '0' && *s <= '9') {
		if (parse_u32(s, 10, 63, &n) < 0)
			return -1;
		*mask = UINT64_C(1) << n;
		return 0;
	}
	if (strncasecmp(s, "cap_", 4) == 0)
		s += 4;
	for (i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++) {
		if (strcasecmp(s, cap_names[i]) == 0) {
			*mask = UINT64_C(1) << i;
			return 0;
		}
	}
	return -1;
}

/* Resource names of prlimit(1). */
static const struct {
	const char *name;
	uint32_t resource;
} rlimit_names[] = {
	{ "as", NSBOX_RLIMIT_AS },
	{ "core", NSBOX_RLIMIT_CORE },
	{ "cpu", NSBOX_RLIMIT_CPU },
	{ "data", NSBOX_RLIMIT_DATA },
	{ "fsize", NSBOX_RLIMIT_FSIZE },
	{ "locks", NSBOX_RLIMIT_LOCKS },
	{ "memlock", NSBOX_RLIMIT_MEMLOCK },
	{ "msgqueue", NSBOX_RLIMIT_MSGQUEUE },
	{ "nice", NSBOX_RLIMIT_NICE },
	{ "nofile", NSBOX_RLIMIT_NOFILE },
	{ "nproc", NSBOX_RLIMIT_NPROC },
	{ "rss", NSBOX_RLIMIT_RSS },
	{ "rtprio", NSBOX_RLIMIT_RTPRIO },
	{ "rttime", NSBOX_RLIMIT_RTTIME },
	{ "sigpending", NSBOX_RLIMIT_SIGPENDING },
	{ "stack", NSBOX_RLIMIT_STACK },
};

static const char *rlimit_name(uint32_t resource)
{
	size_t i;

	for (i = 0; i < sizeof(rlimit_names) / sizeof(rlimit_names[0]); i++)
		if (rlimit_names[i].resource == resource)
			return rlimit_names[i].name;
	return "?";
}

static int parse_rlimit_value(const char *s, size_t len, uint64_t *out)
{
	char buf[24];

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (strcmp(buf, "unlimited") == 0 || strcmp(buf, "infinity") == 0) {
		*out = NSBOX_RLIMIT_INFINITY;
		return 0;
	}
	return parse_u64(buf, out);
}

/* "RES=N" or "RES=SOFT:HARD". */
static int parse_rlimit(const char *s, struct run_rlimit *out)
{
	size_t len = strcspn(s, "="), i;
	const char *v, *colon;

	if (s[len] != '=')
		return -1;
	for (i = 0; i < sizeof(rlimit_names) / sizeof(rlimit_names[0]); i++) {
		if (strlen(rlimit_names[i].name) == len && strncasecmp(s, rlimit_names[i].name, len) == 0)
			break;
	}
	if (i == sizeof(rlimit_names) / sizeof(rlimit_names[0]))
		return -1;
	out->resource = rlimit_names[i].resource;
	v = s + len + 1;
	colon = strchr(v, ':');
	if (!colon) {
		if (parse_rlimit_value(v, strlen(v), &out->soft) < 0)
			return -1;
		out->hard = out->soft;
		return 0;
	}
	if (parse_rlimit_value(v, (size_t)(colon - v), &out->soft) < 0 ||
	    parse_rlimit_value(colon + 1, strlen(colon + 1), &out->hard) < 0 || out->soft > out->hard)
		return -1;
	return 0;
}

/* "--name", "--name=ARG" or "--prefix" that getopt refused: say why. */
static int bad_long_option(const char *arg, int val, char *err, size_t errsize)
{
	size_t len = strcspn(arg + 2, "=");
	const struct option *o;
	int matches = 0;

	if (val != 0) /* a known option, given an argument it does not take */
		return fail(err, errsize, "option '%.*s' doesn't allow an argument",
		            (int)len + 2, arg);
	for (o = long_options; o->name; o++) {
		if (strncmp(o->name, arg + 2, len) == 0)
			matches++;
	}
	if (matches > 1)
		return fail(err, errsize, "option '%.*s' is ambiguous", (int)len + 2, arg);
	return fail(err, errsize, "unrecognized option '%.*s'", (int)len + 2, arg);
}

/* The second argument of a two-argument option (--bind SRC DEST): the next
 * element of argv, as bwrap takes it; getopt_long() only took the first. */
static int second_arg(int argc, char **argv, int c, const char *names, const char **out,
                      char *err, size_t errsize)
{
	char name[32];

	if (optind >= argc || !argv[optind]) {
		option_name(c, name, sizeof(name));
		return fail(err, errsize, "option '%s' requires two arguments: %s", name, names);
	}
	*out = argv[optind++];
	return 0;
}

/* A filesystem option's slot, or NULL when RUN_MOUNT_OPS_MAX are used. */
static struct run_mount_op *new_mount(struct run_args *args, enum run_mount_kind kind)
{
	struct run_mount_op *op;

	if (args->n_mounts >= RUN_MOUNT_OPS_MAX)
		return NULL;
	op = &args->mounts[args->n_mounts++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->fd = -1;
	args->new_root = 1;
	return op;
}

/* A network interface name's length rule: 1..NSBOX_IFNAME_MAX bytes. */
static int ifname_len_ok(size_t len)
{
	return len >= 1 && len <= NSBOX_IFNAME_MAX;
}

/* Does a --veth have an end named @name (@len bytes)? */
static int veth_has_end(const struct run_args *args, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < args->n_veth; i++) {
		const struct run_veth *v = &args->veth[i];
		const char *child = v->spec + v->host_len + 1;

		if ((v->host_len == len && strncmp(v->spec, name, len) == 0) ||
		    (strlen(child) == len && strncmp(child, name, len) == 0))
			return 1;
	}
	return 0;
}

/* A --setenv/--unsetenv name: not empty, no '='. */
static int env_name_ok(const char *name)
{
	return name[0] != '\0' && !strchr(name, '=');
}

int run_args_parse(struct run_args *args, int argc, char **argv, char *err, size_t errsize)
{
	/* --perms and --size wait for the operation they modify, as in bwrap. */
	int perms_set = 0, size_set = 0;
	uint32_t perms = 0;
	uint64_t size = 0;
	struct run_mount_op *op;
	const char *arg2 = NULL;
	char name[32];
	uint64_t mask;
	uint32_t v;
	size_t i;
	int c;

	memset(args, 0, sizeof(*args));
	args->seccomp_fd = -1;
	if (argc < 1 || !argv)
		return fail(err, errsize, "no arguments");

	optind = 0; /* glibc: start afresh, even after an earlier parse */
	opterr = 0; /* messages are ours to print, not getopt's */
	for (;;) {
		/* The element getopt works on: "+" forbids it to permute argv. */
		int at = optind > 0 ? optind : 1;

		c = getopt_long(argc, argv, short_options, long_options, NULL);
		if (c == -1)
			break;
		if (c != ':' && c != '?' && c != 'h' && c != 'V') {
			if (perms_set && c != OPT_PERMS && c != OPT_SIZE && c != OPT_TMPFS &&
			    c != OPT_DIR && c != OPT_FILE)
				return fail(err, errsize, "--perms must be followed by --tmpfs, --dir or --file");
			if (size_set && c != OPT_SIZE && c != OPT_PERMS && c != OPT_TMPFS)
				return fail(err, errsize, "--size must be followed by --tmpfs");
		}
		switch (c) {
		case 'U':
			args->ns |= NSBOX_NS_USER;
			break;
		case 'm':
			args->ns |= NSBOX_NS_MOUNT;
			break;
		case 'u':
			args->ns |= NSBOX_NS_UTS;
			break;
		case 'i':
			args->ns |= NSBOX_NS_IPC;
			break;
		case 'n':
			args->ns |= NSBOX_NS_NET;
			break;
		case 'p':
			args->ns |= NSBOX_NS_PID;
			break;
		case 'C':
			args->ns |= NSBOX_NS_CGROUP;
			break;
		case 'T':
			args->ns |= NSBOX_NS_TIME;
			break;
		case OPT_UNSHARE_ALL:
			args->ns |= NSBOX_NS_USER | NSBOX_NS_MOUNT | NSBOX_NS_UTS | NSBOX_NS_IPC |
			            NSBOX_NS_NET | NSBOX_NS_PID | NSBOX_NS_CGROUP;
			break;
		case 'r':
			args->map_root = 1;
			break;
		case OPT_MAP_USER:
			/* (uid_t)-1 is no uid. */
			if (parse_u32(optarg, 10, UINT32_MAX - 1, &args->map_user) < 0)
				return fail(err, errsize, "--map-user: invalid uid '%s'", optarg);
			args->map_user_set = 1;
			break;
		case OPT_MAP_GROUP:
			if (parse_u32(optarg, 10, UINT32_MAX - 1, &args->map_group) < 0)
				return fail(err, errsize, "--map-group: invalid gid '%s'", optarg);
			args->map_group_set = 1;
			break;
		case OPT_MOUNT_PROC:
			args->mount_proc = 1;
			args->ns |= NSBOX_NS_MOUNT;
			break;
		case OPT_HOSTNAME:
			args->hostname = optarg;
			break;
		case OPT_DOMAINNAME:
			args->domainname = optarg;
			break;
		case OPT_PROPAGATION:
			if (parse_propagation(optarg, &args->propagation) < 0)
				return fail(err, errsize, "--propagation: '%s' is none of "
				            "private, slave, shared, unchanged", optarg);
			args->propagation_set = 1;
			break;
		case OPT_JOIN:
			if (parse_u32(optarg, 10, INT32_MAX, &v) < 0 || v == 0)
				return fail(err, errsize, "--join: invalid pid '%s'", optarg);
			args->join_pid = (int32_t)v;
			break;
		case OPT_JOIN_NS:
			if (parse_ns_list(optarg, &args->join_ns) < 0)
				return fail(err, errsize, "--join-ns: invalid list '%s'", optarg);
			args->join_ns_set = 1;
			break;
		case OPT_FORK_STYLE:
			args->flags |= NSBOX_SPAWN_FORK;
			break;
		case OPT_NO_CLONE3:
			args->flags |= NSBOX_SPAWN_NO_CLONE3;
			break;
		case OPT_EXIT_SIGNAL:
			/* The range is the library's to check. */
			if (parse_u32(optarg, 10, INT32_MAX, &v) < 0)
				return fail(err, errsize, "--exit-signal: bad number '%s'", optarg);
			args->exit_signal = (int32_t)v;
			args->exit_signal_set = 1;
			break;

		/* ---- filesystem ---- */
		case OPT_BIND:
		case OPT_BIND_TRY:
		case OPT_RO_BIND:
		case OPT_RO_BIND_TRY:
		case OPT_DEV_BIND:
		case OPT_DEV_BIND_TRY:
			if (second_arg(argc, argv, c, "SRC DEST", &arg2, err, errsize) < 0)
				return -1;
			if (!(op = new_mount(args, RUN_MNT_BIND)))
				goto too_many_mounts;
			op->src = optarg;
			op->dest = arg2;
			if (c == OPT_RO_BIND || c == OPT_RO_BIND_TRY)
				op->flags |= NSBOX_BIND_RO;
			if (c == OPT_DEV_BIND || c == OPT_DEV_BIND_TRY)
				op->flags |= NSBOX_BIND_DEV;
			if (c == OPT_BIND_TRY || c == OPT_RO_BIND_TRY || c == OPT_DEV_BIND_TRY)
				op->flags |= NSBOX_BIND_TRY;
			break;
		case OPT_TMPFS:
			if (!(op = new_mount(args, RUN_MNT_TMPFS)))
				goto too_many_mounts;
			op->dest = optarg;
			op->mode = perms_set ? perms : 0755;
			op->size = size_set ? size : 0;
			perms_set = size_set = 0;
			break;
		case OPT_SIZE:
			if (size_set)
				return fail(err, errsize, "--size given twice for one --tmpfs");
			if (parse_size(optarg, &size) < 0)
				return fail(err, errsize, "--size: invalid size '%s' (bytes, more than 0, "
				            "may end in K, M or G)", optarg);
			size_set = 1;
			break;
		case OPT_PERMS:
			if (perms_set)
				return fail(err, errsize, "--perms given twice for one operation");
			if (parse_perms(optarg, &perms) < 0)
				return fail(err, errsize, "--perms: invalid octal mode '%s' (0 to 07777)", optarg);
			perms_set = 1;
			break;
		case OPT_PROC:
		case OPT_SYSFS:
		case OPT_DEV:
		case OPT_MQUEUE:
		case OPT_REMOUNT_RO:
			op = new_mount(args, c == OPT_PROC ? RUN_MNT_PROC : c == OPT_SYSFS ? RUN_MNT_SYSFS
			                     : c == OPT_DEV ? RUN_MNT_DEV : c == OPT_MQUEUE ? RUN_MNT_MQUEUE
			                     : RUN_MNT_REMOUNT_RO);
			if (!op)
				goto too_many_mounts;
			op->dest = optarg;
			break;
		case OPT_DIR:
			if (!(op = new_mount(args, RUN_MNT_DIR)))
				goto too_many_mounts;
			op->dest = optarg;
			op->mode = perms_set ? perms : 0755;
			perms_set = 0;
			break;
		case OPT_SYMLINK:
			if (second_arg(argc, argv, c, "SRC DEST", &arg2, err, errsize) < 0)
				return -1;
			if (!(op = new_mount(args, RUN_MNT_SYMLINK)))
				goto too_many_mounts;
			op->src = optarg;
			op->dest = arg2;
			break;
		case OPT_FILE:
			if (second_arg(argc, argv, c, "FD DEST", &arg2, err, errsize) < 0)
				return -1;
			if (parse_u32(optarg, 10, INT32_MAX, &v) < 0)
				return fail(err, errsize, "--file: invalid descriptor '%s'", optarg);
			if (!(op = new_mount(args, RUN_MNT_FILE)))
				goto too_many_mounts;
			op->fd = (int32_t)v;
			op->dest = arg2;
			op->mode = perms_set ? perms : 0666;
			perms_set = 0;
			break;
		case OPT_ROOT:
			if (args->root_dir)
				return fail(err, errsize, "--root given twice");
			if (optarg[0] != '/')
				return fail(err, errsize, "--root: '%s' is not an absolute path", optarg);
			args->root_dir = optarg;
			args->new_root = 1;
			break;
		case OPT_ROOT_RO:
			args->root_flags |= NSBOX_ROOT_RO;
			args->new_root = 1;
			break;

		/* ---- network ---- */
		case OPT_NO_LOOPBACK:
			args->no_loopback = 1;
			break;
		case OPT_VETH: {
			const char *colon = strchr(optarg, ':');

			if (!colon || strchr(colon + 1, ':') || !ifname_len_ok((size_t)(colon - optarg)) ||
			    !ifname_len_ok(strlen(colon + 1)))
				return fail(err, errsize, "--veth: '%s' is not HOST:CHILD (two interface "
				            "names of 1 to %d bytes)", optarg, NSBOX_IFNAME_MAX);
			if (args->n_veth >= RUN_VETH_MAX)
				return fail(err, errsize, "--veth: at most %d pairs", RUN_VETH_MAX);
			args->veth[args->n_veth].spec = optarg;
			args->veth[args->n_veth].host_len = (size_t)(colon - optarg);
			args->n_veth++;
			break;
		}
		case OPT_ADDR: {
			size_t len = strcspn(optarg, "=");

			if (optarg[len] != '=' || !ifname_len_ok(len) || optarg[len + 1] == '\0')
				return fail(err, errsize, "--addr: '%s' is not IF=CIDR (e.g. eth0=10.0.0.2/24)",
				            optarg);
			if (args->n_addr >= RUN_ADDR_MAX)
				return fail(err, errsize, "--addr: at most %d addresses", RUN_ADDR_MAX);
			args->addr[args->n_addr++] = optarg;
			break;
		}

		/* ---- process ---- */
		case OPT_INIT:
			args->init = 1;
			break;
		case OPT_AS_PID_1:
			args->as_pid_1 = 1;
			break;
		case OPT_DIE_WITH_PARENT:
			args->die_with_parent = 1;
			break;
		case OPT_NEW_SESSION:
			args->new_session = 1;
			break;
		case OPT_CHDIR:
			if (optarg[0] == '\0')
				return fail(err, errsize, "--chdir: empty directory");
			args->chdir = optarg;
			break;
		case OPT_SETENV:
		case OPT_UNSETENV:
		case OPT_CLEARENV:
			if (c == OPT_SETENV && second_arg(argc, argv, c, "VAR VALUE", &arg2, err, errsize) < 0)
				return -1;
			if (c != OPT_CLEARENV && !env_name_ok(optarg))
				return fail(err, errsize, "--%s: invalid variable name '%s' (empty or with '=')",
				            c == OPT_SETENV ? "setenv" : "unsetenv", optarg);
			if (args->n_env >= RUN_ENV_MAX)
				return fail(err, errsize, "at most %d --setenv, --unsetenv and --clearenv",
				            RUN_ENV_MAX);
			args->env[args->n_env].kind = c == OPT_SETENV ? RUN_ENV_SET
			                              : c == OPT_UNSETENV ? RUN_ENV_UNSET : RUN_ENV_CLEAR;
			args->env[args->n_env].name = c == OPT_CLEARENV ? NULL : optarg;
			args->env[args->n_env].value = c == OPT_SETENV ? arg2 : NULL;
			args->n_env++;
			break;
		case OPT_CLOSE_FDS:
			args->close_fds = 1;
			break;
		case OPT_RLIMIT: {
			struct run_rlimit rl;

			if (parse_rlimit(optarg, &rl) < 0)
				return fail(err, errsize, "--rlimit: '%s' is not RES=N or RES=SOFT:HARD (RES "
				            "as in prlimit(1), e.g. nofile; SOFT <= HARD; or \"unlimited\")",
				            optarg);
			/* A later limit of the same resource replaces the earlier. */
			for (i = 0; i < args->n_rlimit; i++)
				if (args->rlimit[i].resource == rl.resource)
					break;
			if (i == RUN_RLIMIT_MAX)
				return fail(err, errsize, "--rlimit: at most %d", RUN_RLIMIT_MAX);
			args->rlimit[i] = rl;
			if (i == args->n_rlimit)
				args->n_rlimit++;
			break;
		}

		/* ---- credentials ---- */
		case OPT_UID:
			if (parse_u32(optarg, 10, UINT32_MAX - 1, &args->uid) < 0)
				return fail(err, errsize, "--uid: invalid uid '%s'", optarg);
			args->uid_set = 1;
			break;
		case OPT_GID:
			if (parse_u32(optarg, 10, UINT32_MAX - 1, &args->gid) < 0)
				return fail(err, errsize, "--gid: invalid gid '%s'", optarg);
			args->gid_set = 1;
			break;
		case OPT_CAP_ADD:
		case OPT_CAP_DROP:
			if (parse_cap(optarg, &mask) < 0)
				return fail(err, errsize, "--cap-%s: unknown capability '%s' (a name such as "
				            "CAP_NET_ADMIN or net_admin, a number 0-63, or ALL)",
				            c == OPT_CAP_ADD ? "add" : "drop", optarg);
			if (c == OPT_CAP_ADD) {
				if (mask != UINT64_MAX)
					args->caps_named |= mask;
				args->caps_add |= mask;
				args->caps_drop &= ~mask;
			} else {
				args->caps_drop |= mask;
				args->caps_add &= ~mask;
			}
			args->caps_set = 1;
			break;
		case OPT_NO_NEW_PRIVS:
			args->no_new_privs = 1;
			break;
		case OPT_SECCOMP:
			if (args->seccomp_fd >= 0)
				return fail(err, errsize, "--seccomp given twice");
			if (parse_u32(optarg, 10, INT32_MAX, &v) < 0)
				return fail(err, errsize, "--seccomp: invalid descriptor '%s'", optarg);
			args->seccomp_fd = (int32_t)v;
			break;

		/* ---- cgroups and time ---- */
		case OPT_CGROUP_PATH:
			if (optarg[0] != '/')
				return fail(err, errsize, "--cgroup-path: '%s' is not an absolute path", optarg);
			args->cgroup_path = optarg;
			break;
		case OPT_MONOTONIC:
		case OPT_BOOTTIME: {
			int mono = c == OPT_MONOTONIC;

			if (parse_offset(optarg, mono ? &args->monotonic_s : &args->boottime_s,
			                 mono ? &args->monotonic_ns : &args->boottime_ns) < 0)
				return fail(err, errsize, "--%s: invalid offset '%s' (seconds, e.g. 86400, "
				            "-3600 or 1.5)", mono ? "monotonic" : "boottime", optarg);
			*(mono ? &args->monotonic_set : &args->boottime_set) = 1;
			args->ns |= NSBOX_NS_TIME;
			break;
		}

		case 'h':
			args->action = RUN_HELP;
			return 0;
		case 'V':
			args->action = RUN_VERSION;
			return 0;
		case ':':
			option_name(optopt, name, sizeof(name));
			return fail(err, errsize, "option '%s' requires an argument", name);
		default: /* '?' */
			if (strncmp(argv[at], "--", 2) != 0)
				return fail(err, errsize, "invalid option -- '%c'", optopt);
			return bad_long_option(argv[at], optopt, err, errsize);
		}
	}

	if (perms_set)
		return fail(err, errsize, "--perms must be followed by --tmpfs, --dir or --file");
	if (size_set)
		return fail(err, errsize, "--size must be followed by --tmpfs");

	if (optind < argc)
		args->cmd = argv + optind;

	if (args->map_root || args->map_user_set || args->map_group_set)
		args->ns |= NSBOX_NS_USER;
	if (args->new_root)
		args->ns |= NSBOX_NS_MOUNT;
	if (args->join_ns_set && !args->join_pid)
		return fail(err, errsize, "--join-ns needs --join");
	if (args->propagation_set && !(args->ns & NSBOX_NS_MOUNT))
		return fail(err, errsize, "--propagation needs --mount (-m)");
	if (args->new_root && args->propagation_set &&
	    args->propagation != NSBOX_PROPAGATION_PRIVATE && args->propagation != NSBOX_PROPAGATION_SLAVE)
		return fail(err, errsize, "a new root (--bind, --tmpfs, ..., --root) needs "
		            "--propagation private or slave");
	/* With --join, whether the UTS or PID namespace is joined is known only
	 * in run_args_apply(). */
	if (!args->join_pid) {
		if ((args->hostname || args->domainname) && !(args->ns & NSBOX_NS_UTS))
			return fail(err, errsize, "--%s needs --uts (-u) or --join",
			            args->hostname ? "hostname" : "domainname");
		if (args->mount_proc && !(args->ns & NSBOX_NS_PID))
			return fail(err, errsize, "--mount-proc needs --pid (-p) or --join");
	}
	if ((args->no_loopback || args->n_veth || args->n_addr) && !(args->ns & NSBOX_NS_NET))
		return fail(err, errsize, "--%s needs --net (-n)",
		            args->no_loopback ? "no-loopback" : args->n_veth ? "veth" : "addr");
	for (i = 0; i < args->n_addr; i++) {
		size_t len = strcspn(args->addr[i], "=");

		if (!veth_has_end(args, args->addr[i], len))
			return fail(err, errsize, "--addr %s: no --veth has an end named '%.*s'",
			            args->addr[i], (int)len, args->addr[i]);
	}
	if (args->init && args->as_pid_1)
		return fail(err, errsize, "--init and --as-pid-1 contradict each other");
	if (args->init && !(args->ns & NSBOX_NS_PID))
		return fail(err, errsize, "--init needs --pid (-p)");
	if (args->uid_set && args->map_user_set)
		return fail(err, errsize, "--uid and --map-user both set the uid inside: use one");
	if (args->gid_set && args->map_group_set)
		return fail(err, errsize, "--gid and --map-group both set the gid inside: use one");
	return 0;

too_many_mounts:
	return fail(err, errsize, "at most %d filesystem options", RUN_MOUNT_OPS_MAX);
}

/* After a failed libnsbox call: its sentence, else the errno text. */
static int lib_fail(int r, char *err, size_t errsize)
{
	const char *msg = nsbox_last_error();

	snprintf(err, errsize, "%s", msg[0] ? msg : strerror(-r));
	return r;
}

/* The same, after "@what: " naming the option. */
static int opt_fail(int r, const char *what, char *err, size_t errsize)
{
	const char *msg = nsbox_last_error();

	snprintf(err, errsize, "%s: %s", what, msg[0] ? msg : strerror(-r));
	return r;
}

/* The namespaces of @pid that differ from ours: joining one that is ours
 * already is pointless, and for the user namespace an error (setns(2)). */
static int differing_namespaces(int32_t pid, uint32_t *out, char *err, size_t errsize)
{
	uint32_t kind, mask = 0;
	int r;

	for (kind = 1; kind & NSBOX_NS_ALL; kind <<= 1) {
		r = nsbox_ns_same(pid, 0, kind);
		if (r == 0)
			mask |= kind;
		else if (r == -EOPNOTSUPP)
			continue; /* the kernel lacks this kind */
		else if (r < 0) {
			const char *msg = nsbox_last_error();

			snprintf(err, errsize, "--join %d: %s", (int)pid,
			         msg[0] ? msg : strerror(-r));
			return r;
		}
	}
	*out = mask;
	return 0;
}

/* A filesystem option as it was written, for messages. */
static void mount_op_text(const struct run_mount_op *op, char *buf, size_t size)
{
	const char *name = "?";

	switch (op->kind) {
	case RUN_MNT_BIND:
		name = op->flags & NSBOX_BIND_RO ? (op->flags & NSBOX_BIND_TRY ? "ro-bind-try" : "ro-bind")
		     : op->flags & NSBOX_BIND_DEV ? (op->flags & NSBOX_BIND_TRY ? "dev-bind-try" : "dev-bind")
		     : op->flags & NSBOX_BIND_TRY ? "bind-try" : "bind";
		break;
	case RUN_MNT_TMPFS: name = "tmpfs"; break;
	case RUN_MNT_PROC: name = "proc"; break;
	case RUN_MNT_SYSFS: name = "sysfs"; break;
	case RUN_MNT_DEV: name = "dev"; break;
	case RUN_MNT_MQUEUE: name = "mqueue"; break;
	case RUN_MNT_DIR: name = "dir"; break;
	case RUN_MNT_SYMLINK: name = "symlink"; break;
	case RUN_MNT_REMOUNT_RO: name = "remount-ro"; break;
	case RUN_MNT_FILE: name = "file"; break;
	}
	if (op->kind == RUN_MNT_FILE)
		snprintf(buf, size, "--file %d %s", (int)op->fd, op->dest);
	else if (op->src)
		snprintf(buf, size, "--%s %s %s", name, op->src, op->dest);
	else
		snprintf(buf, size, "--%s %s", name, op->dest);
}

static int apply_mounts(const struct run_args *args, nsbox_config *cfg, char *err, size_t errsize)
{
	char what[256];
	size_t i;
	int r;

	r = nsbox_config_set_root(cfg, args->root_dir, args->root_flags);
	if (r < 0)
		return opt_fail(r, args->root_dir ? "--root" : "new root", err, errsize);
	for (i = 0; i < args->n_mounts; i++) {
		const struct run_mount_op *op = &args->mounts[i];

		mount_op_text(op, what, sizeof(what));
		switch (op->kind) {
		case RUN_MNT_BIND:
			r = nsbox_config_add_bind(cfg, op->src, op->dest, op->flags);
			break;
		case RUN_MNT_TMPFS:
			r = nsbox_config_add_tmpfs(cfg, op->dest, op->size, op->mode);
			break;
		case RUN_MNT_PROC:
			r = nsbox_config_add_proc(cfg, op->dest);
			break;
		case RUN_MNT_SYSFS:
			r = nsbox_config_add_sysfs(cfg, op->dest);
			break;
		case RUN_MNT_DEV:
			r = nsbox_config_add_dev(cfg, op->dest);
			break;
		case RUN_MNT_MQUEUE:
			r = nsbox_config_add_mqueue(cfg, op->dest);
			break;
		case RUN_MNT_DIR:
			r = nsbox_config_add_dir(cfg, op->dest, op->mode);
			break;
		case RUN_MNT_SYMLINK:
			r = nsbox_config_add_symlink(cfg, op->src, op->dest);
			break;
		case RUN_MNT_REMOUNT_RO:
			r = nsbox_config_add_remount_ro(cfg, op->dest);
			break;
		case RUN_MNT_FILE:
			if (!op->loaded) {
				snprintf(err, errsize, "%s: descriptor %d was not read", what, (int)op->fd);
				return -EINVAL;
			}
			r = nsbox_config_add_file(cfg, op->dest, op->data, op->len, op->mode);
			break;
		default:
			snprintf(err, errsize, "filesystem option #%zu of unknown kind", i + 1);
			return -EINVAL;
		}
		if (r < 0)
			return opt_fail(r, what, err, errsize);
	}
	return 0;
}

static int apply_net(const struct run_args *args, nsbox_config *cfg, char *err, size_t errsize)
{
	char host[NSBOX_IFNAME_MAX + 1], ifname[NSBOX_IFNAME_MAX + 1], what[128];
	size_t i, len;
	int r;

	if (args->no_loopback && (r = nsbox_config_set_loopback(cfg, 0)) < 0)
		return opt_fail(r, "--no-loopback", err, errsize);
	/* Every pair first: an address names an end of any of them. */
	for (i = 0; i < args->n_veth; i++) {
		const struct run_veth *v = &args->veth[i];

		len = v->host_len; /* checked by the parser: 1..NSBOX_IFNAME_MAX */
		memcpy(host, v->spec, len);
		host[len] = '\0';
		r = nsbox_config_add_veth(cfg, host, v->spec + len + 1);
		if (r < 0) {
			snprintf(what, sizeof(what), "--veth %s", v->spec);
			return opt_fail(r, what, err, errsize);
		}
	}
	for (i = 0; i < args->n_addr; i++) {
		const char *a = args->addr[i];

		len = strcspn(a, "=");
		memcpy(ifname, a, len);
		ifname[len] = '\0';
		r = nsbox_config_add_address(cfg, ifname, a + len + 1);
		if (r < 0) {
			snprintf(what, sizeof(what), "--addr %s", a);
			return opt_fail(r, what, err, errsize);
		}
	}
	return 0;
}

static int apply_process(const struct run_args *args, nsbox_config *cfg, char *err, size_t errsize)
{
	char what[128];
	size_t i;
	int r;

	if (args->init && (r = nsbox_config_set_init(cfg, 1)) < 0)
		return opt_fail(r, "--init", err, errsize);
	if (args->die_with_parent && (r = nsbox_config_set_die_with_parent(cfg, 1)) < 0)
		return opt_fail(r, "--die-with-parent", err, errsize);
	if (args->new_session && (r = nsbox_config_set_session(cfg, NSBOX_SESSION_NEW)) < 0)
		return opt_fail(r, "--new-session", err, errsize);
	for (i = 0; i < args->n_env; i++) {
		const struct run_env *e = &args->env[i];

		switch (e->kind) {
		case RUN_ENV_SET:
			r = nsbox_config_setenv(cfg, e->name, e->value);
			snprintf(what, sizeof(what), "--setenv %s", e->name);
			break;
		case RUN_ENV_UNSET:
			r = nsbox_config_setenv(cfg, e->name, NULL);
			snprintf(what, sizeof(what), "--unsetenv %s", e->name);
			break;
		default:
			r = nsbox_config_clearenv(cfg);
			snprintf(what, sizeof(what), "--clearenv");
			break;
		}
		if (r < 0)
			return opt_fail(r, what, err, errsize);
	}
	if (args->chdir) {
		/* As bwrap: PWD names the new working directory. */
		if ((r = nsbox_config_set_cwd(cfg, args->chdir)) < 0 ||
		    (r = nsbox_config_setenv(cfg, "PWD", args->chdir)) < 0)
			return opt_fail(r, "--chdir", err, errsize);
	}
	if (args->close_fds && (r = nsbox_config_set_close_fds(cfg, 1)) < 0)
		return opt_fail(r, "--close-fds", err, errsize);
	for (i = 0; i < args->n_rlimit; i++) {
		const struct run_rlimit *rl = &args->rlimit[i];

		r = nsbox_config_add_rlimit(cfg, rl->resource, rl->soft, rl->hard);
		if (r < 0) {
			snprintf(what, sizeof(what), "--rlimit %s", rlimit_name(rl->resource));
			return opt_fail(r, what, err, errsize);
		}
	}
	return 0;
}

/* The highest capability number of the running kernel. */
static uint32_t cap_last_cap(void)
{
	char buf[16];
	uint32_t v;
	ssize_t n;
	int fd;

	fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return (uint32_t)(sizeof(cap_names) / sizeof(cap_names[0]) - 1);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return (uint32_t)(sizeof(cap_names) / sizeof(cap_names[0]) - 1);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (parse_u32(buf, 10, 63, &v) < 0)
		return (uint32_t)(sizeof(cap_names) / sizeof(cap_names[0]) - 1);
	return v;
}

/* Whether COMMAND will run as uid 0 in its user namespace (the starting
 * point of --cap-add/--cap-drop, as in bwrap). */
static int runs_as_root(const struct run_args *args)
{
	if (args->uid_set)
		return args->uid == 0;
	if (args->ns & NSBOX_NS_USER) {
		if (args->map_user_set)
			return args->map_user == 0;
		return args->map_root; /* -U alone: nobody inside */
	}
	return geteuid() == 0;
}

static int apply_creds(const struct run_args *args, nsbox_config *cfg, char *err, size_t errsize)
{
	int r;

	if (args->caps_set) {
		uint32_t last = cap_last_cap();
		uint64_t known = last >= 63 ? UINT64_MAX : (UINT64_C(1) << (last + 1)) - 1;
		uint64_t keep = ((runs_as_root(args) ? known : 0) & ~args->caps_drop) | args->caps_add;

		/* ALL means what this kernel has; a capability named by number
		 * must exist. */
		if (args->caps_add & args->caps_named & ~known) {
			uint64_t unknown = args->caps_add & args->caps_named & ~known;
			uint32_t bit = 0;

			while (!((unknown >> bit) & 1))
				bit++;
			snprintf(err, errsize, "--cap-add %u: this kernel knows capabilities 0 to %u only",
			         bit, last);
			return -EINVAL;
		}
		if ((r = nsbox_config_set_caps(cfg, keep & known)) < 0)
			return opt_fail(r, "--cap-add/--cap-drop", err, errsize);
	}
	if (args->no_new_privs && (r = nsbox_config_set_no_new_privs(cfg, 1)) < 0)
		return opt_fail(r, "--no-new-privs", err, errsize);
	if (args->seccomp_fd >= 0) {
		if (!args->seccomp_loaded) {
			snprintf(err, errsize, "--seccomp %d: the descriptor was not read", (int)args->seccomp_fd);
			return -EINVAL;
		}
		if (args->seccomp_len == 0 || args->seccomp_len % 8 != 0 ||
		    args->seccomp_len > RUN_SECCOMP_MAX) {
			snprintf(err, errsize, "--seccomp %d: read %zu bytes, not a BPF program of 1 to "
			         "4096 instructions of 8 bytes (struct sock_filter)",
			         (int)args->seccomp_fd, args->seccomp_len);
			return -EINVAL;
		}
		r = nsbox_config_set_seccomp(cfg, args->seccomp, (uint32_t)(args->seccomp_len / 8));
		if (r < 0)
			return opt_fail(r, "--seccomp", err, errsize);
	}
	return 0;
}

/* The user namespace maps and the ids COMMAND runs as. */
static int apply_ids(const struct run_args *args, nsbox_config *cfg)
{
	int maps = args->map_root || args->map_user_set || args->map_group_set;
	int ids = args->uid_set || args->gid_set;
	uint32_t uid, gid;
	int r = 0;

	if (!(args->ns & NSBOX_NS_USER)) {
		/* No new user namespace: switch ids in the one COMMAND is in. */
		if (ids)
			r = nsbox_config_set_ids(cfg, args->uid_set ? args->uid : (uint32_t)geteuid(),
			                         args->gid_set ? args->gid : (uint32_t)getegid());
		return r;
	}
	if (!maps && !ids)
		return 0; /* -U alone: nothing mapped, nobody inside */
	if (args->map_root && !args->map_user_set && !args->map_group_set && !ids)
		/* unshare -r: both ids to 0, the child writes its own maps. */
		return nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT);
	if (!ids) {
		/* Our ids to the ones asked for; -r supplies 0 for the other. */
		if (args->map_user_set || args->map_root)
			r = nsbox_config_add_uid_map(cfg, args->map_user_set ? args->map_user : 0,
			                             (uint32_t)geteuid(), 1);
		if (r == 0 && (args->map_group_set || args->map_root))
			r = nsbox_config_add_gid_map(cfg, args->map_group_set ? args->map_group : 0,
			                             (uint32_t)getegid(), 1);
		if (r == 0)
			r = nsbox_config_set_setgroups(cfg, NSBOX_SETGROUPS_DENY);
		return r;
	}
	/* --uid/--gid, as bwrap: our ids to them (the other one to 0 with -r,
	 * else to itself), and COMMAND runs as them. */
	uid = args->uid_set ? args->uid : args->map_user_set ? args->map_user
	    : args->map_root ? 0 : (uint32_t)geteuid();
	gid = args->gid_set ? args->gid : args->map_group_set ? args->map_group
	    : args->map_root ? 0 : (uint32_t)getegid();
	r = nsbox_config_add_uid_map(cfg, uid, (uint32_t)geteuid(), 1);
	if (r == 0)
		r = nsbox_config_add_gid_map(cfg, gid, (uint32_t)getegid(), 1);
	if (r == 0)
		r = nsbox_config_set_setgroups(cfg, NSBOX_SETGROUPS_DENY);
	if (r == 0)
		r = nsbox_config_set_ids(cfg, uid, gid);
	return r;
}

int run_args_apply(const struct run_args *args, const char *path, char *const *argv,
                   nsbox_config *cfg, char *err, size_t errsize)
{
	uint32_t ns = args->ns;
	uint32_t join_ns = args->join_ns;
	int r;

	if (args->join_pid) {
		if (!args->join_ns_set) {
			r = differing_namespaces(args->join_pid, &join_ns, err, errsize);
			if (r < 0)
				return r;
		}
		if ((args->hostname || args->domainname) && !((ns | join_ns) & NSBOX_NS_UTS)) {
			snprintf(err, errsize, "--%s needs --uts (-u) or a joined UTS namespace",
			         args->hostname ? "hostname" : "domainname");
			return -EINVAL;
		}
		if (args->mount_proc && !((ns | join_ns) & NSBOX_NS_PID)) {
			snprintf(err, errsize, "--mount-proc needs --pid (-p) or a joined PID ns");
			return -EINVAL;
		}
	}

	r = nsbox_config_set_namespaces(cfg, ns);
	if (r == 0)
		r = apply_ids(args, cfg);
	if (r == 0 && args->hostname)
		r = nsbox_config_set_hostname(cfg, args->hostname);
	if (r == 0 && args->domainname)
		r = nsbox_config_set_domainname(cfg, args->domainname);
	if (r == 0 && args->propagation_set)
		r = nsbox_config_set_propagation(cfg, args->propagation);
	if (r == 0 && args->mount_proc)
		r = nsbox_config_set_mount_proc(cfg, 1);
	if (r == 0 && args->join_pid && join_ns)
		r = nsbox_config_join_pid(cfg, args->join_pid, join_ns);
	if (r == 0 && args->exit_signal_set)
		r = nsbox_config_set_exit_signal(cfg, args->exit_signal);
	if (r == 0 && args->flags)
		r = nsbox_config_set_flags(cfg, args->flags);
	if (r == 0)
		r = nsbox_config_set_exec(cfg, path, (const char *const *)argv, NULL);
	if (r < 0)
		return lib_fail(r, err, errsize);

	if (args->new_root && (r = apply_mounts(args, cfg, err, errsize)) < 0)
		return r;
	if ((r = apply_net(args, cfg, err, errsize)) < 0)
		return r;
	if ((r = apply_process(args, cfg, err, errsize)) < 0)
		return r;
	if ((r = apply_creds(args, cfg, err, errsize)) < 0)
		return r;
	if (args->cgroup_path && (r = nsbox_config_set_cgroup(cfg, args->cgroup_path)) < 0)
		return opt_fail(r, "--cgroup-path", err, errsize);
	if (args->monotonic_set &&
	    (r = nsbox_config_set_time_offset(cfg, NSBOX_CLOCK_MONOTONIC, args->monotonic_s,
	                                      args->monotonic_ns)) < 0)
		return opt_fail(r, "--monotonic", err, errsize);
	if (args->boottime_set &&
	    (r = nsbox_config_set_time_offset(cfg, NSBOX_CLOCK_BOOTTIME, args->boottime_s,
	                                      args->boottime_ns)) < 0)
		return opt_fail(r, "--boottime", err, errsize);
	return 0;
}
