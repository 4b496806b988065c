/*
 * fuzz-run-args.c - libFuzzer target for nsbox-run's command line
 * (examples/nsbox-run-args.c).
 *
 * The input is split at NUL bytes into at most 64 arguments after
 * argv[0] = "nsbox-run"; run_args_parse() parses them. When it accepts a
 * command line that runs something, run_args_apply() writes it into a
 * fresh configuration (which is then freed, never spawned).
 *
 * Invariants checked (abort, so the fuzzer keeps the input):
 *  - parse returns 0 or -1, and -1 comes with a message;
 *  - on success the command points into argv, its vector is
 *    NULL-terminated inside argv, and the names point into argv;
 *  - apply returns 0 or a negative errno with a message.
 * ASan and UBSan watch getopt_long, the number parsers and the builder.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsbox-run-args.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int in_argv(const void *p, char **argv, int argc)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if ((const char *)p >= a && (const char *)p <= a + strlen(a))
			return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *argv[66], err[256];
	struct run_args args;
	int argc = 1, r;

	if (size > 4096)
		return 0;
	/* a private NUL-terminated copy, so ASan sees reads past the input */
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = (char *)"nsbox-run";
	for (size_t i = 0; i <= size && argc < 65;) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	if (size == 0)
		argc = 1;
	argv[argc] = NULL;

	err[0] = '\0';
	r = run_args_parse(&args, argc, argv, err, sizeof(err));
	if (r != 0 && r != -1)
		abort();
	if (r == -1 && err[0] == '\0')
		abort();
	if (r == 0) {
		if (args.cmd) {
			int i = 0;

			if (args.cmd < argv + 1 || args.cmd > argv + argc)
				abort();
			while (args.cmd[i])
				i++;
			if (args.cmd + i != argv + argc)
				abort();
		}
		if (args.hostname && !in_argv(args.hostname, argv, argc))
			abort();
		if (args.domainname && !in_argv(args.domainname, argv, argc))
			abort();
		if (args.action == RUN_SPAWN) {
			char *dflt[] = { (char *)"true", NULL };
			nsbox_config *cfg = NULL;

			if (nsbox_config_new(&cfg) != 0)
				abort();
			err[0] = '\0';
			r = run_args_apply(&args, "/bin/true", args.cmd ? args.cmd : dflt, cfg, err, sizeof(err));
			if (r > 0 || (r < 0 && (r < -4095 || err[0] == '\0')))
				abort();
			nsbox_config_free(cfg);
		}
	}
	free(buf);
	return 0;
}
