/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The harnesses without libFuzzer: feeds each file named on the command
 * line, or each file of each directory named (not recursively, in name
 * order), to LLVMFuzzerTestOneInput(). meson runs it over fuzz/corpus/NAME
 * as a unit test, so the corpora are regression tests in any build (gcc,
 * ASan+UBSan). It prints its one test as cmocka does (scripts/test.sh
 * counts "[ RUN      ]" and "[       OK ]" lines): a crash leaves the test
 * started and never finished; no input at all is a failure.
 *
 *   replay NAME PATH...
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Runs one file; -1 when it cannot be read. */
static int run_file(const char *path)
{
	struct stat st;
	uint8_t *buf;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* An exact-size buffer, as libFuzzer gives: ASan sees a read past the input. */
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		close(fd);
		return -1;
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n <= 0) {
			fprintf(stderr, "replay: %s: %s\n", path, n < 0 ? strerror(errno) : "short read");
			free(buf);
			close(fd);
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	/* Named first, so that a crash's output says which input did it. */
	fprintf(stderr, "replay: %s\n", path);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	unsigned long runs = 0, bad = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s NAME FILE|DIRECTORY...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	printf("[==========] Running 1 test(s).\n[ RUN      ] %s\n", argv[1]);
	fflush(stdout);
	for (int i = 2; i < argc; i++) {
		struct stat st;
		struct dirent **ents;
		int n;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			bad++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i]) < 0)
				bad++;
			else
				runs++;
			continue;
		}
		n = scandir(argv[i], &ents, NULL, by_name);
		if (n < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			bad++;
			continue;
		}
		for (int k = 0; k < n; k++) {
			char *path;

			if (ents[k]->d_name[0] != '.' && asprintf(&path, "%s/%s", argv[i], ents[k]->d_name) >= 0) {
				if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
					if (run_file(path) < 0)
						bad++;
					else
						runs++;
				}
				free(path);
			}
			free(ents[k]);
		}
		free(ents);
	}
	if (bad || !runs) {
		printf("replay: %lu input(s) run, %lu unreadable\n[  FAILED  ] %s\n", runs, bad, argv[1]);
		return 1;
	}
	printf("replay: %lu input(s) run\n[       OK ] %s\n", runs, argv[1]);
	printf("[==========] 1 test(s) run.\n[  PASSED  ] 1 test(s).\n");
	return 0;
}
