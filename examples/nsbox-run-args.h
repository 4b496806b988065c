/*
 * nsbox-run-args.h - the command line of nsbox-run, apart from main().
 *
 * run_args_parse() turns argv into a struct run_args and does nothing else:
 * it prints nothing, exits never, allocates nothing and touches no file, so
 * tests and fuzzers can call it again and again. run_args_apply() then
 * writes a parsed command line into an nsbox_config.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef NSBOX_RUN_ARGS_H
#define NSBOX_RUN_ARGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <nsbox.h>

enum run_action {
	RUN_SPAWN = 0, /* run the command */
	RUN_HELP,      /* -h, --help */
	RUN_VERSION    /* -V, --version */
};

struct run_args {
	enum run_action action;
	uint32_t ns;          /* NSBOX_NS_* kinds to create */
	int map_root;         /* -r, --map-root-user, --map-root */
	int map_user_set;     /* --map-user=UID given */
	uint32_t map_user;
	int map_group_set;    /* --map-group=GID given */
	uint32_t map_group;
	int mount_proc;       /* --mount-proc */
	const char *hostname; /* --hostname, points into argv; NULL if not given */
	const char *domainname;
	int32_t join_pid;     /* --join=PID, 0 if not given */
	int join_ns_set;      /* --join-ns given; else join every kind that differs */
	uint32_t join_ns;
	int propagation_set;  /* --propagation given */
	uint32_t propagation; /* NSBOX_PROPAGATION_* */
	uint32_t flags;       /* NSBOX_SPAWN_* */
	int exit_signal_set;  /* --exit-signal given */
	int32_t exit_signal;
	char **cmd;           /* the command and its arguments (points into argv), NULL if none */
};

/*
 * Parse argv[1..argc-1] into @args (overwritten whole). Options end at the
 * first non-option or at "--"; the rest is the command. Uses getopt_long()
 * and resets its global state first.
 * Returns 0, or -1 with a message (without "nsbox-run: ") in @err.
 */
int run_args_parse(struct run_args *args, int argc, char **argv, char *err, size_t errsize);

/*
 * Write @args into @cfg: namespaces, maps, names, joins, flags, and the exec
 * payload @path with @argv (the command, already looked up in PATH). With
 * --join and no --join-ns, reads which namespaces of the target differ from
 * ours.
 * Returns 0, or a negative errno value with a message in @err.
 */
int run_args_apply(const struct run_args *args, const char *path, char *const *argv,
                   nsbox_config *cfg, char *err, size_t errsize);

/* Print the --help text to @out. */
void run_args_usage(FILE *out);

#endif /* NSBOX_RUN_ARGS_H */
