/*
 * nsbox-run-args.c - parse nsbox-run's command line and apply it to an
 * nsbox_config. See nsbox-run-args.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
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
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void run_args_usage(FILE *out)
{
	fputs("Usage: nsbox-run [OPTION]... [--] [COMMAND [ARG]...]\n"
	      "Run COMMAND in new or joined namespaces, like unshare(1), with libnsbox.\n"
	      "COMMAND (default: $SHELL, else /bin/sh) is looked up in nsbox-run's PATH.\n"
	      "It runs as nsbox-run's child (with -p, as pid 1 of the new PID namespace)\n"
	      "and nsbox-run waits for it.\n"
	      "\n"
	      "Namespaces to create:\n"
	      "  -U, --user              a user namespace (alone: nobody inside; see -r)\n"
	      "  -m, --mount             a mount namespace (\"/\" is made private first)\n"
	      "  -u, --uts               a UTS namespace (hostname, NIS domain name)\n"
	      "  -i, --ipc               an IPC namespace\n"
	      "  -n, --net               a network namespace (a loopback device, down)\n"
	      "  -p, --pid               a PID namespace: COMMAND is its pid 1\n"
	      "  -C, --cgroup            a cgroup namespace\n"
	      "  -T, --time              a time namespace (Linux 5.6+)\n"
	      "      --unshare-all       all of -U -m -u -i -n -p -C, like bwrap\n"
	      "\n"
	      "User namespace maps (each implies -U and denies setgroups):\n"
	      "  -r, --map-root-user     map your uid and gid to root (0) inside\n"
	      "      --map-root          the same as -r\n"
	      "      --map-user=UID      map your uid to UID inside (with -r: the uid only)\n"
	      "      --map-group=GID     map your gid to GID inside (with -r: the gid only)\n"
	      "\n"
	      "Inside the namespaces:\n"
	      "      --mount-proc        mount a fresh /proc (implies -m; needs -p or a\n"
	      "                          joined PID namespace)\n"
	      "      --hostname=NAME     set the hostname (needs -u or a joined UTS ns)\n"
	      "      --domainname=NAME   set the NIS domain name (the same)\n"
	      "      --propagation=MODE  of \"/\" in the new mount namespace (needs -m):\n"
	      "                          private (default), slave, shared or unchanged\n"
	      "\n"
	      "Joining the namespaces of a running process (before creating new ones):\n"
	      "      --join=PID          enter namespaces of process PID\n"
	      "      --join-ns=KINDS     which ones, comma-separated: user, mount (or mnt),\n"
	      "                          uts, ipc, pid, net, cgroup, time, all; or a mask\n"
	      "                          of NSBOX_NS_* bits such as 0x12. Default: every\n"
	      "                          kind in which PID differs from nsbox-run\n"
	      "\n"
	      "Spawning:\n"
	      "      --fork-style        give COMMAND a copy of nsbox-run's memory until\n"
	      "                          exec (NSBOX_SPAWN_FORK) instead of sharing it\n"
	      "      --no-clone3         use clone(2) even where clone3(2) exists\n"
	      "      --exit-signal=N     signal sent to nsbox-run when COMMAND ends\n"
	      "                          (default SIGCHLD; 0 for none)\n"
	      "\n"
	      "  -h, --help              print this help and exit\n"
	      "  -V, --version           print the libnsbox version and exit\n"
	      "\n"
	      "SIGTERM and SIGHUP sent to nsbox-run are passed on to COMMAND; SIGINT and\n"
	      "SIGQUIT are left to the terminal, which sends them to COMMAND too.\n"
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

int run_args_parse(struct run_args *args, int argc, char **argv, char *err, size_t errsize)
{
	char name[32];
	uint32_t v;
	int c;

	memset(args, 0, sizeof(*args));
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

	if (optind < argc)
		args->cmd = argv + optind;

	if (args->map_root || args->map_user_set || args->map_group_set)
		args->ns |= NSBOX_NS_USER;
	if (args->join_ns_set && !args->join_pid)
		return fail(err, errsize, "--join-ns needs --join");
	if (args->propagation_set && !(args->ns & NSBOX_NS_MOUNT))
		return fail(err, errsize, "--propagation needs --mount (-m)");
	/* With --join, whether the UTS or PID namespace is joined is known only
	 * in run_args_apply(). */
	if (!args->join_pid) {
		if ((args->hostname || args->domainname) && !(args->ns & NSBOX_NS_UTS))
			return fail(err, errsize, "--%s needs --uts (-u) or --join",
			            args->hostname ? "hostname" : "domainname");
		if (args->mount_proc && !(args->ns & NSBOX_NS_PID))
			return fail(err, errsize, "--mount-proc needs --pid (-p) or --join");
	}
	return 0;
}

/* After a failed libnsbox call: its sentence, else the errno text. */
static int lib_fail(int r, char *err, size_t errsize)
{
	const char *msg = nsbox_last_error();

	snprintf(err, errsize, "%s", msg[0] ? msg : strerror(-r));
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
	if (r == 0 && args->map_root && !args->map_user_set && !args->map_group_set) {
		/* unshare -r: both ids to 0, the child writes its own maps. */
		r = nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT);
	} else if (r == 0 && (args->map_root || args->map_user_set || args->map_group_set)) {
		/* Our ids to the ones asked for; -r supplies 0 for the other. */
		if (args->map_user_set || args->map_root)
			r = nsbox_config_add_uid_map(cfg, args->map_user_set ? args->map_user : 0,
			                             (uint32_t)geteuid(), 1);
		if (r == 0 && (args->map_group_set || args->map_root))
			r = nsbox_config_add_gid_map(cfg, args->map_group_set ? args->map_group : 0,
			                             (uint32_t)getegid(), 1);
		if (r == 0)
			r = nsbox_config_set_setgroups(cfg, NSBOX_SETGROUPS_DENY);
	}
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
	return r < 0 ? lib_fail(r, err, errsize) : 0;
}
