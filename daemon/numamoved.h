/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * numamoved: the batch manager. One sd-event loop owns every job, pin and
 * bus object; worker threads only run libnumamove requests and hand what
 * they learn back to the loop through a queue and an eventfd. Nothing here
 * decides what a move does: the library does; the daemon decides who may
 * ask, when a job runs, and how fast.
 */
#ifndef NUMAMOVED_H
#define NUMAMOVED_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <numamove/numamove.h>

#define BUS_NAME "org.numamove.numamoved1"
#define OBJ_ROOT "/org/numamove/numamoved1"
#define OBJ_JOB_PREFIX OBJ_ROOT "/job"
#define OBJ_PIN_PREFIX OBJ_ROOT "/pin"
#define IFACE_MANAGER BUS_NAME ".Manager"
#define IFACE_JOB BUS_NAME ".Job"
#define IFACE_PIN BUS_NAME ".Pin"
#define ERR_NOT_AUTHORIZED BUS_NAME ".Error.NotAuthorized"
#define ERR_BAD_TARGET BUS_NAME ".Error.BadTarget"
#define ERR_TOO_MANY BUS_NAME ".Error.TooMany"
#define ERR_NO_SUCH_JOB BUS_NAME ".Error.NoSuchJob"
#define ERR_NO_SUCH_PIN BUS_NAME ".Error.NoSuchPin"
#define ERR_BAD_NODES BUS_NAME ".Error.BadNodes"

#define ACTION_MOVE_OWN BUS_NAME ".move-own"
#define ACTION_MOVE_SHARED BUS_NAME ".move-shared"
#define ACTION_MOVE_OTHER BUS_NAME ".move-other"
#define ACTION_PIN BUS_NAME ".pin"
#define ACTION_MANAGE BUS_NAME ".manage"

#define MAX_TARGETS 4096
#define MAX_STRING 4096
#define MAX_JOBS_PER_UID 256   /* queued, held or running, for any uid but 0 */
#define MAX_JOBS_KEPT 4096     /* finished jobs listed; the oldest go first */
#define MAX_PINS_PER_UID 256
#define NODE_MASK_BYTES 128    /* a set of nodes as bits: MAX_NUMNODES is at most 1024 */

/* ---- logging: stderr lines with sd-daemon priority prefixes, for the journal */
void log_at(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, with the journal fields NUMAMOVED_JOB=, NUMAMOVED_PIN= (0: none), NUMAMOVED_UID= (-1: none). */
void log_for(int prio, uint32_t job, uint32_t pin, long uid, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
#define log_job(prio, j, ...) log_for(prio, (j)->id, (j)->pin_id, (long)(j)->owner, __VA_ARGS__)
#define log_pin(prio, p, ...) log_for(prio, 0, (p)->id, (long)(p)->owner, __VA_ARGS__)
#define log_err(...) log_at(3, __VA_ARGS__)
#define log_warn(...) log_at(4, __VA_ARGS__)
#define log_notice(...) log_at(5, __VA_ARGS__)
#define log_info(...) log_at(6, __VA_ARGS__)
#define log_debug(...) log_at(7, __VA_ARGS__)

/* ---- config.c */
struct config {
	uint64_t budget;           /* bytes/s over all running jobs, 0 unlimited */
	unsigned int max_running;  /* jobs running at once */
	unsigned int job_keep_s;   /* how long finished jobs stay listed */
	char *admin_group;         /* without polkitd: members get every action */
	unsigned int pin_interval_ms;
	uint64_t read_ahead_max;   /* bytes read ahead per open of a file placed so; 0 off */
	uint64_t lock_budget;      /* bytes of placed files locked in memory, in all; 0 none */
	char *slurm_far_nodes;     /* suspended Slurm jobs' memory goes there; NULL: off */
	unsigned int slurm_scan_ms; /* how often Slurm's jobs are looked at for suspension */
};
int config_load(const char *path, struct config *ret);
void config_free(struct config *c);

/* ---- targets, as a request names them and as the daemon keeps them */
enum target_kind {
	TARGET_PIDFD, TARGET_CGROUP, TARGET_CGROUP_OF, TARGET_PATH, TARGET_SHM, TARGET_SHM_KEY,
	TARGET_SLURM_JOB, /* text: "JOBID[.STEP]", found again when the job runs */
};

struct target {
	enum target_kind kind;
	int fd;               /* pidfd (PIDFD, CGROUP_OF), or -1 */
	pid_t pid;            /* PIDFD, CGROUP_OF */
	uint64_t starttime;   /* /proc/PID/stat field 22: with the pid, names the process on disk */
	char *text;           /* PATH, CGROUP; CGROUP_OF: the group found at submission */
	int value;            /* SHM id or key */
	char *label;          /* "1234 (postgres)", "/dev/shm/x", "cgroup /sys/fs/cgroup/a", "shm:5" */
	uint64_t key_a, key_b; /* identity, for same-target serialization */
	uid_t owner;          /* objects: their owner; cgroups: cpuset.mems's; processes: the real uid;
	                         Slurm jobs: their processes' one uid (root when none or several) */
	uid_t uids[3];        /* processes: real, effective, saved */
	gid_t gids[3];
	bool dumpable;
	bool gone;            /* found gone after a restart: reported, not moved */
};
const char *target_kind_name(enum target_kind kind);
void target_clear(struct target *t);
/* target_clear() of each of @v[0..n), then free(@v). */
void targets_free(struct target *v, size_t n);

/* ---- the options of a request (Move and Pin) */
struct move_opts {
	char *to, *from, *policy;
	unsigned int flags;    /* NUMAMOVE_REQUEST_F_* */
	int engine;
	unsigned int jobs, max_stall_ms, interval_ms;
	uint64_t rate;
	int priority;
	bool json, bytes, raw, noheadings;
	char *credential;      /* slurm-credential: root's MUNGE credential, as sent */
	bool by_root;          /* it was root's, for this very request (slurm_credential_check()) */
};
void move_opts_clear(struct move_opts *o);

/* ---- jobs */
enum job_state { JOB_QUEUED, JOB_HELD, JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_CANCELLED, JOB_INTERRUPTED };
const char *job_state_name(enum job_state s);
int job_state_from_name(const char *name);

struct daemon;

/* What a worker hands to the loop (one message each). */
enum wmsg_kind { WMSG_PLAN, WMSG_EVENT, WMSG_TEXT, WMSG_FINISHED, WMSG_PIN_CHECK, WMSG_PLACE_CHECK };
struct wmsg {
	struct wmsg *next;
	struct job *job;
	enum wmsg_kind kind;
	struct numamove_event ev; /* EVENT */
	char *subject;            /* EVENT */
	char *out, *err;          /* TEXT */
	int error;                /* PLAN: negative errno, or 0 with need_bytes */
	uint64_t *need;           /* PLAN: bytes each node receives (index: node id) */
	int n_need;
	char *report_json;        /* FINISHED */
	char *record;             /* FINISHED: front_node_record()'s lines */
	char *outcome;            /* FINISHED */
	int exit_status;          /* FINISHED */
	bool cancelled;           /* FINISHED */
	uint32_t pin_id;          /* PIN_CHECK: the pin, found again by id */
	uint64_t bytes;           /* PIN_CHECK: bytes outside the pin's nodes */
	uint32_t threads;         /* PIN_CHECK: threads allowed on CPUs outside them */
	bool mems_differ;         /* PIN_CHECK: a cgroup's cpuset.mems is not the pin's nodes */
	uint64_t elapsed_us;      /* PIN_CHECK: how long the check took */
	uint64_t bytes_moved;     /* FINISHED: what the report says moved, over its targets */
	bool full;                /* PIN_CHECK: the full check ran, and @to is its */
	unsigned char to[NODE_MASK_BYTES]; /* PIN_CHECK: the pin's nodes, resolved */
	struct place_check *check; /* PLACE_CHECK: the check and what it found (place.c) */
};

enum verdict { VERDICT_WAIT, VERDICT_GO, VERDICT_STOP };

struct job {
	struct daemon *d;
	uint32_t id;
	char path[64];
	uid_t owner;
	char *client;          /* the unique bus name that submitted it (its text and progress go there), or NULL */
	char *description;
	int priority;
	uint64_t submitted_us;
	uint64_t seq;          /* submission order, also across a restart */
	enum job_state state;
	char *held;
	struct target *targets;
	size_t n_targets;
	struct move_opts opts;
	uint32_t pin_id;       /* a pin's correction job, or 0 */
	struct numamove_placement *placement; /* a placement's correction: its request is the library's
						 numamove_placement_request() of its one path target */
	bool privileged;       /* may use the daemon's capabilities; else NUMAMOVE_REQUEST_F_UNPRIVILEGED */
	int slurm_move;        /* SLURM_MOVE_OUT, _BACK: a suspended Slurm job's move (slurm.c), or 0 */
	uint64_t bytes_moved;  /* once finished: what its report says moved */

	/* What the loop shows. */
	char phase[16];
	char *subject;
	uint64_t bytes_done, bytes_total, rate, eta_us;
	uint64_t last_saved_us;
	char *outcome, *report, *output, *diagnostics;
	char *record;          /* once finished: its report as front_node_record() writes it (move --all-nodes) */
	int exit_status;
	uint64_t finished_us;
	uint64_t *need;        /* the admission plan: bytes per node */
	int n_need;
	bool cancel_asked;
	bool retry;            /* held: try again (a job ended) */
	struct numamove_pacer *pacer; /* its share of the budget and its own rate (sched_rebalance()), or NULL */

	/* The worker, while one runs. Under d->lock: req, verdict. */
	pthread_t thread;
	bool thread_live;
	struct numamove_request *req;
	enum verdict verdict;
	pthread_cond_t cond;
	struct wmsg *msg_plan, *msg_finished; /* the worker's, from job_start() */

	sd_event_source *expire;
};

/* ---- pins */
struct pin {
	struct daemon *d;
	uint32_t id;
	char path[64];
	uid_t owner;
	struct target target;
	char *nodes;
	unsigned int interval_ms;
	uint64_t checks, corrections, bytes_corrected, last_check_us;
	unsigned int flags;    /* NUMAMOVE_REQUEST_F_* of its corrections */
	bool privileged;       /* its corrections run with the daemon's rights */
	bool ended;
	pthread_t check_thread;
	bool check_live;       /* a check runs */
	uint32_t correction;   /* the correction job queued or running, or 0 */
	uint32_t threads_astray; /* what the check that made it found */
	unsigned char to[NODE_MASK_BYTES]; /* its nodes as the last full check resolved them */
	bool have_to;
	sd_event_source *timer, *exit_watch;
};

/* ---- the daemon */
struct daemon {
	sd_event *event;
	sd_bus *bus;
	struct config cfg;
	char *config_path;
	char *state_dir;

	struct job **jobs;
	size_t n_jobs, alloc_jobs;
	struct pin **pins;
	size_t n_pins, alloc_pins;
	uint32_t next_id;
	uint32_t reserved_id;  /* next-id on disk: ids below it may be given without writing */
	uint64_t next_seq;

	/* Workers to the loop. */
	pthread_mutex_t lock;
	struct wmsg *inbox, **inbox_tail;
	int efd;
	sd_event_source *efd_source;
	bool polkit_missing_logged;
	sd_event_source *held_retry; /* held jobs and nothing running: look again later */
	struct place_state *place;   /* placements kept (place.c) */
	struct slurm_state *slurm;   /* suspended Slurm jobs (slurm.c) */
};

/* main.c */
uint64_t now_us(void);
uint64_t mono_us(void);

/* bus.c */
int bus_setup(struct daemon *d);
int bus_take_name(struct daemon *d);
void bus_manager_changed(struct daemon *d, const char *prop);
int bus_job_added(struct daemon *d, struct job *j);
void bus_job_removed(struct daemon *d, struct job *j);
void bus_job_changed(struct job *j, const char *const *props);
void bus_job_progress(struct job *j, const struct numamove_event *ev, const char *subject);
void bus_job_text(struct job *j, const char *out, const char *err);
void bus_job_finished(struct job *j);
int bus_pin_added(struct daemon *d, struct pin *p);
void bus_pin_removed(struct daemon *d, struct pin *p);
void bus_pin_changed(struct pin *p, const char *const *props);
void bus_pin_corrected(struct pin *p, uint64_t bytes, uint32_t threads, const char *text);
/* bus_read_targets(): decoded only (fuzz/fuzz-bus-targets.c); bus_parse_targets(): and identified (target_open()). */
int bus_read_targets(sd_bus_message *m, struct target **ret, size_t *ret_n, sd_bus_error *error);
int bus_parse_targets(sd_bus_message *m, struct target **ret, size_t *ret_n, sd_bus_error *error);
int bus_parse_options(sd_bus_message *m, bool pin, struct move_opts *o, sd_bus_error *error);

/* job.c */
struct job *job_new(struct daemon *d, uid_t owner, struct target *targets, size_t n_targets,
		    struct move_opts *opts);
struct job *job_find(struct daemon *d, uint32_t id);
void job_free(struct job *j);
int job_start(struct job *j);
void job_set_verdict(struct job *j, enum verdict v);
void job_cancel(struct job *j);
void job_enqueue(struct job *j);
void job_finish(struct job *j, enum job_state state, const char *outcome, int exit_status);
int job_describe(struct job *j);
void job_join(struct job *j);
void job_keep(struct job *j, uint64_t usec);
int worker_inbox_setup(struct daemon *d);
void worker_inbox_drop(struct daemon *d);
void worker_post(struct daemon *d, struct wmsg *m);
bool job_done(const struct job *j);

/* sched.c */
void sched_run(struct daemon *d);
void sched_plan(struct job *j, int error, uint64_t *need, int n_need);
/* Divides the budget among the running jobs' pacers, by priority; called when they or the budget change. */
void sched_rebalance(struct daemon *d);
unsigned int sched_count(struct daemon *d, enum job_state s);
void sched_job_ended(struct job *j);

/* auth.c */
struct auth_request;
/* Who sent a message, as the bus says. */
struct caller {
	uid_t uid;
	gid_t gid;
	gid_t groups[64];  /* the supplementary groups the bus saw, when it says them */
	int n_groups;      /* -1: not said */
	pid_t pid;
	char comm[64];
	const char *sender;
};
int auth_caller(sd_bus_message *m, struct caller *c);
/* @privileged: allowed more than move-own (and pin): the job may run with the daemon's own rights. */
typedef void (*auth_done_fn)(struct daemon *d, sd_bus_message *m, bool allowed, bool privileged, const char *why,
			     void *userdata);
/* The actions @targets with @opts need, checked for the sender of @m; @done runs once, maybe later. */
int auth_check_move(struct daemon *d, sd_bus_message *m, const struct target *targets, size_t n,
		    const struct move_opts *opts, bool pin, auth_done_fn done, void *userdata);
/* One action (manage): uid 0, polkit or the group rule. */
int auth_check_action(struct daemon *d, sd_bus_message *m, const char *action, const char *what,
		      auth_done_fn done, void *userdata);
int auth_sender_uid(sd_bus_message *m, uid_t *ret);
/* Real, effective and saved uids and gids of @pid (/proc/PID/status); -ESRCH when they cannot be read. */
int auth_process_ids(pid_t pid, unsigned int uid[3], unsigned int gid[3]);
int target_open(struct target *t, sd_bus_error *error);
bool pidfd_alive(int pidfd);
bool target_unchanged(const struct target *t);

/* state.c */
int state_open(struct daemon *d);
int state_save_job(struct daemon *d, const struct job *j);
void state_remove_job(struct daemon *d, uint32_t id);
int state_save_pin(struct daemon *d, const struct pin *p);
void state_remove_pin(struct daemon *d, uint32_t id);
int state_save_next_id(struct daemon *d);
int state_restore(struct daemon *d);
int proc_starttime(pid_t pid, uint64_t *ret);

/* pin.c */
struct pin *pin_new(struct daemon *d, uid_t owner, struct target *t, const struct move_opts *o);
struct pin *pin_find(struct daemon *d, uint32_t id);
int pin_start(struct pin *p);
void pin_end(struct pin *p, const char *why);
void pin_free(struct pin *p);
void pin_job_finished(struct daemon *d, struct job *j);
void pin_checked(struct daemon *d, struct wmsg *m);

/* place.c: placements of files (issue 14), kept on disk and enforced on fanotify events */
int place_setup(struct daemon *d);      /* fanotify; after state_open() */
int place_restore(struct daemon *d);    /* the registry, re-read and re-applied; after bus_setup() */
void place_free_all(struct daemon *d);
void place_reloaded(struct daemon *d);  /* the configuration changed */

/* The start of a small file (/proc), NUL-terminated: its length, or a negative errno. */
int read_file(const char *path, char *buf, size_t size);

/* ---- read ahead at open (readahead.c): FAN_OPEN_PERM, on threads of its own */
struct readahead;
int readahead_start(const struct numamove_topology *topo, uint64_t max_bytes, struct readahead **ret);
/* Marks the file @path (relative to @dirfd), or with @dir the directory @dirfd's files. */
int readahead_mark(struct readahead *ra, int dirfd, const char *path, bool dir);
void readahead_flush(struct readahead *ra);
void readahead_set_max(struct readahead *ra, uint64_t max_bytes);
void readahead_stop(struct readahead *ra);

/* ---- placed files locked in memory (locker.c), on a thread of its own */
struct locker;
int locker_start(const struct numamove_topology *topo, uint64_t budget, struct locker **ret);
/* @path, a placed file just checked whose placement, the registered one at @by, locks it: locked when the budget has room. */
void locker_consider(struct locker *lk, const char *path, const char *by);
/* Every lock checked again now (placements changed). */
void locker_kick(struct locker *lk);
void locker_set_budget(struct locker *lk, uint64_t budget);
void locker_stop(struct locker *lk);
void place_checked(struct daemon *d, struct wmsg *m);
void place_check_free(struct place_check *c);
void place_job_finished(struct daemon *d, struct job *j);
/*
 * The arguments of Place (@clear false: paths, policy, options) or Clear
 * (paths), decoded into a new call, the policy checked against @topo (NULL:
 * the machine's, loaded once the rest has decoded). Nothing is looked up on
 * disk and nobody is asked (fuzz/fuzz-bus-place.c); freed by place_call_free().
 */
struct place_call;
int place_parse(sd_bus_message *m, bool clear, const struct numamove_topology *topo, struct place_call **ret,
		sd_bus_error *error);
void place_call_free(struct place_call *c);
int method_place(sd_bus_message *m, void *userdata, sd_bus_error *error);
int method_clear(sd_bus_message *m, void *userdata, sd_bus_error *error);
int method_list_placements(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_placement_corrected(struct daemon *d, const char *path, uint64_t bytes);
int state_write_file(const char *name, const char *data, size_t len);
int state_remove_file(const char *name);
int state_read_file(const char *name, char **ret);

/* slurm.c: suspended Slurm jobs' memory to the far nodes, and back when they resume (issue 15) */
#define SLURM_MOVE_OUT 1
#define SLURM_MOVE_BACK 2
#define SLURM_BACK_PRIORITY (-21) /* ahead of any priority a caller may ask (-20..19) */
int slurm_setup(struct daemon *d);     /* after state_restore() */
void slurm_reloaded(struct daemon *d);
void slurm_free(struct daemon *d);
void slurm_job_finished(struct daemon *d, struct job *j);
/* Worker side, admission of an OUT move: the bytes each node would receive, the job's processes' memory planned. */
int slurm_admission_need(const struct job *j, uint64_t **ret_need, int *ret_n);
/* The SPANK plugin's calls (numamove-spank(8)): a task started, a step ended. */
struct slurm_asked {
	bool any;           /* it asked something (suspend or far-nodes) */
	bool stay;          /* suspend=stay */
	char far[256];      /* far-nodes, ascending; "" not asked */
};
/* SlurmTaskStarted's options (the a{sv} after the step): what the job asked, its form checked. */
int slurm_task_options(sd_bus_message *m, struct slurm_asked *a, sd_bus_error *error);
/* What @a asked, with the node's far nodes @site_far (NULL: none): true when it stays (@why), else @far. */
bool slurm_decide(const struct slurm_asked *a, const char *site_far, char *far, size_t size, char *why,
		  size_t why_size);
/*
 * A Move with slurm-credential: root's MUNGE credential for this very
 * request (front_slurm_credential_text()), unused (MUNGE refuses a replay),
 * sent by a process of the job's owner in the job, sets @o->by_root;
 * anything else answers the call with an error.
 */
int slurm_credential_check(sd_bus_message *m, const struct target *t, size_t n, struct move_opts *o,
			   sd_bus_error *error);
int method_slurm_task_started(sd_bus_message *m, void *userdata, sd_bus_error *error);
int method_slurm_step_ended(sd_bus_message *m, void *userdata, sd_bus_error *error);
/* config.c: slurm-far-nodes' form (numbers and ranges of this machine's nodes), kept ascending */
int config_parse_far_nodes(const char *value, char **ret);

/* main.c: the config, again */
int daemon_reload(struct daemon *d);

#endif
