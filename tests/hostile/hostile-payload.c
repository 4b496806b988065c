/*
 * hostile-payload.c - the payload program of the hostile-host suites.
 *
 *   hostile-payload pause               block until killed
 *   hostile-payload exit-after MS CODE  sleep MS milliseconds, exit CODE
 *   hostile-payload touch PATH          create PATH, exit 0
 *
 * It installs no signal handler and changes no signal mask, so what
 * /proc/PID/status shows is what it was started with.
 *
 * SPDX-License-Identifier: MIT
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "pause") == 0) {
		for (;;)
			pause();
	}
	if (argc >= 4 && strcmp(argv[1], "exit-after") == 0) {
		long ms = atol(argv[2]);
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

		while (nanosleep(&ts, &ts) != 0)
			;
		return atoi(argv[3]);
	}
	if (argc >= 3 && strcmp(argv[1], "touch") == 0) {
		int fd = open(argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		return fd >= 0 ? 0 : 1;
	}
	return 2;
}
