/*-------------------------------------------------------------------------
 *
 * host.c
 *		Resources of the host (or of the container) the server runs on:
 *		CPU, load, memory, swap and the disk of the data directory, read
 *		from Linux's /proc and cgroup v2 files.
 *
 * Parsers and readers are apart.  Each parser works on a NUL-terminated
 * buffer and fills a plain struct; it does no file I/O, allocates nothing
 * and never raises an error.  Every field is optional: a field the buffer
 * does not hold, or holds malformed, is PGHERO_HOST_UNKNOWN (-1), and so is
 * a field of a line that lacks its final newline (a truncated read: the
 * files always end their lines), so a cut number is never taken for a
 * smaller one.  The readers open the real files into one static buffer of
 * PGHERO_HOST_BUFSIZE bytes (a longer file counts as truncated) and note,
 * in a fixed buffer, which sources could not be read and why.
 *
 * pghero_host_sample() takes a reading of the cumulative counters (CPU
 * ticks, swap pages, disk operations, cgroup CPU time) into shared memory,
 * which keeps the last two readings under an LWLock of their own (tranche
 * "pghero_host"); pghero.host_status computes its percentages and rates
 * per second over the interval between them.  The collector calls it every
 * pghero.activity_sample_interval; it uses no palloc and needs no
 * transaction.  Without preloading there is no shared memory: the
 * interval figures are then NULL and host_status says why.
 *
 * The history of the host (pghero_internal.host_history) is captured in
 * SQL from pghero_host_counters(), which reads the same counters at once;
 * the deltas are taken against the previous row there.
 *
 * pghero_host_parse() runs one parser on a text given by the caller, for
 * the fixture tests (test/t/020_host.pl); it is for superusers only.
 *
 * IDENTIFICATION
 *	  src/host.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <math.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "pghero.h"

#define PGHERO_HOST_UNKNOWN (-1)
#define PGHERO_HOST_BUFSIZE (256 * 1024)
#define PGHERO_HOST_REASONS 1024
#define PGHERO_HOST_CPU_FIELDS 8
#define PGHERO_HOST_DISK_NAME 64
#define PGHERO_HOST_PATH 1024

/* /proc/stat: the "cpu" line (USER_HZ ticks), the cpuN lines, btime */
typedef struct PgheroHostStat
{
	int64		cpu[PGHERO_HOST_CPU_FIELDS];	/* user nice system idle iowait
												 * irq softirq steal */
	int64		cpu_count;
	int64		btime;			/* boot time, seconds since the epoch */
} PgheroHostStat;

/* /proc/loadavg */
typedef struct PgheroHostLoad
{
	double		load[3];		/* < 0: unknown */
} PgheroHostLoad;

/* /proc/meminfo, in bytes */
typedef struct PgheroHostMem
{
	int64		mem_total;
	int64		mem_available;
	int64		swap_total;
	int64		swap_free;
} PgheroHostMem;

/* /proc/vmstat */
typedef struct PgheroHostVm
{
	int64		pswpin;
	int64		pswpout;
} PgheroHostVm;

/* one line of /proc/diskstats */
typedef struct PgheroHostDisk
{
	char		name[PGHERO_HOST_DISK_NAME];	/* "" while not found */
	int64		reads;
	int64		sectors_read;
	int64		writes;
	int64		sectors_written;
	int64		io_ms;
} PgheroHostDisk;

/* cgroup v2: cpu.max, cpu.stat, memory.max, memory.current, memory.stat */
typedef struct PgheroHostCgroup
{
	bool		cpu_unlimited;	/* cpu.max says "max" */
	int64		cpu_quota_usec;
	int64		cpu_period_usec;
	int64		usage_usec;
	int64		user_usec;
	int64		system_usec;
	int64		nr_throttled;
	int64		throttled_usec;
	bool		memory_unlimited;	/* memory.max says "max" */
	int64		memory_max;
	int64		memory_current;
	int64		anon;
	int64		file;
} PgheroHostCgroup;

/* the cumulative counters of one reading, as kept in shared memory */
typedef struct PgheroHostCounters
{
	TimestampTz read_at;
	PgheroHostStat stat;
	PgheroHostVm vm;
	PgheroHostDisk disk;
	bool		in_cgroup;		/* CPU time read from a cgroup's cpu.stat */
	int64		cg_usage_usec;
	int64		cg_user_usec;
	int64		cg_system_usec;
} PgheroHostCounters;

/* a whole reading: counters and gauges, and what could not be read */
typedef struct PgheroHostReading
{
	PgheroHostCounters c;
	PgheroHostLoad load;
	PgheroHostMem mem;
	bool		container;		/* cgroup v2 with a CPU or memory limit */
	PgheroHostCgroup cg;
	char		unavailable[PGHERO_HOST_REASONS];
} PgheroHostReading;

/* shared memory: the last two readings, [newest] and the other one */
typedef struct PgheroHostShared
{
	LWLock	   *lock;
	int			count;			/* readings taken, up to 2 */
	int			newest;			/* index of the newest reading */
	PgheroHostCounters readings[2];
} PgheroHostShared;

static PgheroHostShared *host_shared = NULL;

/* the read buffer of the readers, and the reading of pghero_host_sample */
static char host_buf[PGHERO_HOST_BUFSIZE];
static PgheroHostReading sample_reading;

PG_FUNCTION_INFO_V1(pghero_host_parse);
PG_FUNCTION_INFO_V1(pghero_host_sample_sql);
PG_FUNCTION_INFO_V1(pghero_host_status);
PG_FUNCTION_INFO_V1(pghero_host_counters);

/* ------------------------------------------------------------------------
 * Parsers: buffers in, structs out; no I/O, no allocation, no error
 * ------------------------------------------------------------------------
 */

/*
 * The next complete line of *pos: its start and length (without the
 * newline), or false at the end of the buffer or before a line that has
 * no newline (a truncated one).
 */
static bool
next_line(const char **pos, const char **line, int *len)
{
	const char *p = *pos;
	const char *nl;

	if (*p == '\0')
		return false;
	nl = strchr(p, '\n');
	if (nl == NULL)
		return false;
	*line = p;
	*len = (int) (nl - p);
	*pos = nl + 1;
	return true;
}

/*
 * The next whitespace-separated token of the line [*p, end): start and
 * length, or false if none is left.
 */
static bool
next_token(const char **p, const char *end, const char **tok, int *len)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s >= end)
		return false;
	*tok = s;
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	*len = (int) (s - *tok);
	*p = s;
	return true;
}

/* A token made only of decimal digits, that fits in an int64, or unknown. */
static int64
parse_count(const char *tok, int len)
{
	int64		v = 0;

	if (len <= 0 || len > 19)
		return PGHERO_HOST_UNKNOWN;
	for (int i = 0; i < len; i++)
	{
		if (tok[i] < '0' || tok[i] > '9')
			return PGHERO_HOST_UNKNOWN;
		if (v > (PG_INT64_MAX - (tok[i] - '0')) / 10)
			return PGHERO_HOST_UNKNOWN;
		v = v * 10 + (tok[i] - '0');
	}
	return v;
}

/* A token "digits.digits" (a load average), or -1. */
static double
parse_decimal(const char *tok, int len)
{
	double		v = 0;
	double		scale = 0;
	bool		digits = false;

	if (len <= 0 || len > 30)
		return -1;
	for (int i = 0; i < len; i++)
	{
		if (tok[i] == '.' && scale == 0)
			scale = 1;
		else if (tok[i] >= '0' && tok[i] <= '9')
		{
			digits = true;
			if (scale == 0)
				v = v * 10 + (tok[i] - '0');
			else
			{
				scale /= 10;
				v += (tok[i] - '0') * scale;
			}
		}
		else
			return -1;
	}
	return digits ? v : -1;
}

/* Whether the token is the word w. */
static bool
token_is(const char *tok, int len, const char *w)
{
	return (int) strlen(w) == len && strncmp(tok, w, len) == 0;
}

/*
 * The value of a "key value [kB]" line (/proc/meminfo with unit kB,
 * /proc/vmstat, cpu.stat, memory.stat): the number after the key, scaled
 * by 1024 if the unit is kB; unknown if the line is malformed.
 */
static int64
keyed_value(const char *p, const char *end, bool kb)
{
	const char *tok;
	int			len;
	int64		v;

	if (!next_token(&p, end, &tok, &len))
		return PGHERO_HOST_UNKNOWN;
	v = parse_count(tok, len);
	if (v == PGHERO_HOST_UNKNOWN)
		return v;
	if (kb)
	{
		if (!next_token(&p, end, &tok, &len) || !token_is(tok, len, "kB"))
			return PGHERO_HOST_UNKNOWN;
		if (v > PG_INT64_MAX / 1024)
			return PGHERO_HOST_UNKNOWN;
		v *= 1024;
	}
	if (next_token(&p, end, &tok, &len))
		return PGHERO_HOST_UNKNOWN;
	return v;
}

/*
 * The key of a "key value" line ("MemTotal:" is "MemTotal" with colon
 * true): sets *p past it.
 */
static bool
line_key(const char **p, const char *end, const char **key, int *len,
		 bool colon)
{
	if (!next_token(p, end, key, len))
		return false;
	if (colon)
	{
		if ((*key)[*len - 1] != ':')
			return false;
		(*len)--;
	}
	return true;
}

/* A key of a "key value" file and where its value goes. */
typedef struct KeyedField
{
	const char *key;
	int64	   *value;
} KeyedField;

/*
 * A file of "key value" lines (/proc/meminfo with colon and unit kB,
 * /proc/vmstat, cpu.stat, memory.stat): every field unknown, then the
 * value of each complete line whose key is one of the fields'.
 */
static void
parse_keyed(const char *buf, const KeyedField *fields, int nfields,
			bool colon, bool kb)
{
	const char *pos = buf;
	const char *line;
	int			len;

	for (int i = 0; i < nfields; i++)
		*fields[i].value = PGHERO_HOST_UNKNOWN;
	while (next_line(&pos, &line, &len))
	{
		const char *p = line;
		const char *key;
		int			klen;

		if (!line_key(&p, line + len, &key, &klen, colon))
			continue;
		for (int i = 0; i < nfields; i++)
		{
			if (token_is(key, klen, fields[i].key))
			{
				*fields[i].value = keyed_value(p, line + len, kb);
				break;
			}
		}
	}
}

/* /proc/stat */
static void
parse_stat(const char *buf, PgheroHostStat *st)
{
	const char *pos = buf;
	const char *line;
	int			len;
	int64		cpus = 0;
	bool		past_cpus = false;

	for (int i = 0; i < PGHERO_HOST_CPU_FIELDS; i++)
		st->cpu[i] = PGHERO_HOST_UNKNOWN;
	st->cpu_count = PGHERO_HOST_UNKNOWN;
	st->btime = PGHERO_HOST_UNKNOWN;

	while (next_line(&pos, &line, &len))
	{
		const char *p = line;
		const char *end = line + len;
		const char *tok;
		int			tlen;

		if (!next_token(&p, end, &tok, &tlen))
			continue;
		if (token_is(tok, tlen, "cpu"))
		{
			for (int i = 0; i < PGHERO_HOST_CPU_FIELDS; i++)
			{
				if (!next_token(&p, end, &tok, &tlen))
					break;
				st->cpu[i] = parse_count(tok, tlen);
			}
		}
		else if (tlen > 3 && strncmp(tok, "cpu", 3) == 0 &&
				 parse_count(tok + 3, tlen - 3) != PGHERO_HOST_UNKNOWN)
		{
			if (!past_cpus)
				cpus++;
		}
		else
		{
			/* the cpuN lines are complete once another line follows */
			if (!past_cpus && cpus > 0)
				st->cpu_count = cpus;
			past_cpus = true;
			if (token_is(tok, tlen, "btime") && next_token(&p, end, &tok, &tlen))
				st->btime = parse_count(tok, tlen);
		}
	}
}

/* /proc/loadavg: "0.09 0.21 0.10 1/114 5393" */
static void
parse_loadavg(const char *buf, PgheroHostLoad *ld)
{
	const char *pos = buf;
	const char *line;
	int			len;

	for (int i = 0; i < 3; i++)
		ld->load[i] = -1;
	if (next_line(&pos, &line, &len))
	{
		const char *p = line;
		const char *tok;
		int			tlen;

		for (int i = 0; i < 3; i++)
		{
			if (!next_token(&p, line + len, &tok, &tlen))
				break;
			ld->load[i] = parse_decimal(tok, tlen);
		}
	}
}

/* /proc/meminfo */
static void
parse_meminfo(const char *buf, PgheroHostMem *m)
{
	const KeyedField fields[] = {
		{"MemTotal", &m->mem_total},
		{"MemAvailable", &m->mem_available},
		{"SwapTotal", &m->swap_total},
		{"SwapFree", &m->swap_free},
	};

	parse_keyed(buf, fields, lengthof(fields), true, true);
}

/* /proc/vmstat */
static void
parse_vmstat(const char *buf, PgheroHostVm *vm)
{
	const KeyedField fields[] = {
		{"pswpin", &vm->pswpin},
		{"pswpout", &vm->pswpout},
	};

	parse_keyed(buf, fields, lengthof(fields), false, false);
}

/*
 * /proc/diskstats: the line of device major:minor ("8 1 sda1 reads merged
 * sectors ms writes merged sectors ms in_flight io_ticks ..."); returns
 * whether it was found.
 */
static bool
parse_diskstats(const char *buf, int64 major_no, int64 minor_no,
				PgheroHostDisk *d)
{
	const char *pos = buf;
	const char *line;
	int			len;

	d->name[0] = '\0';
	d->reads = d->sectors_read = PGHERO_HOST_UNKNOWN;
	d->writes = d->sectors_written = PGHERO_HOST_UNKNOWN;
	d->io_ms = PGHERO_HOST_UNKNOWN;
	while (next_line(&pos, &line, &len))
	{
		const char *p = line;
		const char *end = line + len;
		const char *tok;
		int			tlen;
		int64		f[14];
		int			n;

		if (!next_token(&p, end, &tok, &tlen) ||
			parse_count(tok, tlen) != major_no ||
			!next_token(&p, end, &tok, &tlen) ||
			parse_count(tok, tlen) != minor_no ||
			!next_token(&p, end, &tok, &tlen))
			continue;
		snprintf(d->name, sizeof(d->name), "%.*s",
				 Min(tlen, PGHERO_HOST_DISK_NAME - 1), tok);
		for (n = 3; n < 14; n++)
			f[n] = PGHERO_HOST_UNKNOWN;
		for (n = 3; n < 14 && next_token(&p, end, &tok, &tlen); n++)
			f[n] = parse_count(tok, tlen);
		d->reads = f[3];
		d->sectors_read = f[5];
		d->writes = f[7];
		d->sectors_written = f[9];
		d->io_ms = f[12];
		return true;
	}
	return false;
}

/*
 * /proc/self/cgroup: the path of the cgroup v2 line "0::/path" into path
 * (at most size bytes); false if there is none.
 */
static bool
parse_cgroup_path(const char *buf, char *path, int size)
{
	const char *pos = buf;
	const char *line;
	int			len;

	while (next_line(&pos, &line, &len))
	{
		if (len >= 4 && strncmp(line, "0::/", 4) == 0 && len - 3 < size)
		{
			/* no "..": the path is appended to /sys/fs/cgroup */
			for (int i = 3; i + 1 < len; i++)
				if (line[i] == '.' && line[i + 1] == '.')
					return false;
			snprintf(path, size, "%.*s", len - 3, line + 3);
			return true;
		}
	}
	return false;
}

/* A file of one value, a number or "max" (cpu.max's first, memory.max). */
static int64
parse_limit(const char *p, const char *end, bool *unlimited)
{
	const char *tok;
	int			tlen;

	*unlimited = false;
	if (!next_token(&p, end, &tok, &tlen))
		return PGHERO_HOST_UNKNOWN;
	if (token_is(tok, tlen, "max"))
	{
		*unlimited = true;
		return PGHERO_HOST_UNKNOWN;
	}
	return parse_count(tok, tlen);
}

/* cpu.max: "max 100000" or "200000 100000" */
static void
parse_cpu_max(const char *buf, PgheroHostCgroup *cg)
{
	const char *pos = buf;
	const char *line;
	int			len;

	cg->cpu_unlimited = false;
	cg->cpu_quota_usec = cg->cpu_period_usec = PGHERO_HOST_UNKNOWN;
	if (next_line(&pos, &line, &len))
	{
		const char *p = line;
		const char *end = line + len;
		const char *tok;
		int			tlen;

		if (!next_token(&p, end, &tok, &tlen))
			return;
		if (token_is(tok, tlen, "max"))
			cg->cpu_unlimited = true;
		else
			cg->cpu_quota_usec = parse_count(tok, tlen);
		if (next_token(&p, end, &tok, &tlen))
			cg->cpu_period_usec = parse_count(tok, tlen);
		if (cg->cpu_period_usec == 0)
			cg->cpu_period_usec = PGHERO_HOST_UNKNOWN;
		if (cg->cpu_period_usec == PGHERO_HOST_UNKNOWN)
		{
			cg->cpu_unlimited = false;
			cg->cpu_quota_usec = PGHERO_HOST_UNKNOWN;
		}
	}
}

/* cpu.stat */
static void
parse_cpu_stat(const char *buf, PgheroHostCgroup *cg)
{
	const KeyedField fields[] = {
		{"usage_usec", &cg->usage_usec},
		{"user_usec", &cg->user_usec},
		{"system_usec", &cg->system_usec},
		{"nr_throttled", &cg->nr_throttled},
		{"throttled_usec", &cg->throttled_usec},
	};

	parse_keyed(buf, fields, lengthof(fields), false, false);
}

/* memory.max */
static void
parse_memory_max(const char *buf, PgheroHostCgroup *cg)
{
	const char *pos = buf;
	const char *line;
	int			len;

	cg->memory_unlimited = false;
	cg->memory_max = PGHERO_HOST_UNKNOWN;
	if (next_line(&pos, &line, &len))
		cg->memory_max = parse_limit(line, line + len, &cg->memory_unlimited);
}

/* memory.current */
static void
parse_memory_current(const char *buf, PgheroHostCgroup *cg)
{
	const char *pos = buf;
	const char *line;
	int			len;

	cg->memory_current = PGHERO_HOST_UNKNOWN;
	if (next_line(&pos, &line, &len))
		cg->memory_current = keyed_value(line, line + len, false);
}

/* memory.stat: anon and file, in bytes */
static void
parse_memory_stat(const char *buf, PgheroHostCgroup *cg)
{
	const KeyedField fields[] = {
		{"anon", &cg->anon},
		{"file", &cg->file},
	};

	parse_keyed(buf, fields, lengthof(fields), false, false);
}

/* ------------------------------------------------------------------------
 * Readers: the real files, into host_buf
 * ------------------------------------------------------------------------
 */

/* Append "what: why" to the reasons of a reading. */
static void
add_reason(PgheroHostReading *r, const char *what, const char *why)
{
	size_t		used = strlen(r->unavailable);

	snprintf(r->unavailable + used, sizeof(r->unavailable) - used, "%s%s: %s",
			 used > 0 ? "; " : "", what, why);
}

/*
 * Read the file at path into host_buf, NUL-terminated; false (with the
 * reason noted) if it could not be read.  A file longer than the buffer is
 * cut, and its last line then counts as truncated.
 */
static bool
read_file(const char *path, PgheroHostReading *r)
{
	int			fd;
	size_t		total = 0;

	host_buf[0] = '\0';
	fd = open(path, O_RDONLY | PG_BINARY, 0);
	if (fd < 0)
	{
		if (r)
			add_reason(r, path, strerror(errno));
		return false;
	}
	for (;;)
	{
		ssize_t		n = read(fd, host_buf + total, sizeof(host_buf) - 1 - total);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			if (r)
				add_reason(r, path, strerror(errno));
			close(fd);
			host_buf[0] = '\0';
			return false;
		}
		if (n == 0)
			break;
		total += n;
		if (total >= sizeof(host_buf) - 1)
		{
			/* cut: drop the last line, which may be incomplete */
			char	   *nl;

			host_buf[total] = '\0';
			nl = strrchr(host_buf, '\n');
			if (nl)
				nl[1] = '\0';
			else
				host_buf[0] = '\0';
			close(fd);
			return true;
		}
	}
	host_buf[total] = '\0';
	close(fd);
	return true;
}

/* Read the cumulative counters and the gauges of the host. */
static void
read_host(PgheroHostReading *r, bool counters_only)
{
	struct stat st;
	char		cgpath[PGHERO_HOST_PATH];
	char		path[PGHERO_HOST_PATH + 64];

	memset(r, 0, sizeof(*r));
	r->c.read_at = GetCurrentTimestamp();

	if (read_file("/proc/stat", r))
		parse_stat(host_buf, &r->c.stat);
	else
		parse_stat("", &r->c.stat);

	if (read_file("/proc/vmstat", r))
		parse_vmstat(host_buf, &r->c.vm);
	else
		parse_vmstat("", &r->c.vm);

	/* the device of the data directory */
	parse_diskstats("", 0, 0, &r->c.disk);
	if (DataDir == NULL || stat(DataDir, &st) != 0)
		add_reason(r, "disk", "the data directory cannot be read");
	else if (read_file("/proc/diskstats", r))
	{
		if (!parse_diskstats(host_buf, major(st.st_dev), minor(st.st_dev),
							 &r->c.disk))
		{
			char		why[128];

			snprintf(why, sizeof(why),
					 "the device of the data directory (%u:%u) is not in /proc/diskstats",
					 (unsigned) major(st.st_dev), (unsigned) minor(st.st_dev));
			add_reason(r, "disk", why);
		}
	}

	if (!counters_only)
	{
		if (read_file("/proc/loadavg", r))
			parse_loadavg(host_buf, &r->load);
		else
			parse_loadavg("", &r->load);
		if (read_file("/proc/meminfo", r))
			parse_meminfo(host_buf, &r->mem);
		else
			parse_meminfo("", &r->mem);
	}

	/* cgroup v2: a cgroup other than the root, with a limit */
	parse_cpu_max("", &r->cg);
	parse_cpu_stat("", &r->cg);
	parse_memory_max("", &r->cg);
	parse_memory_current("", &r->cg);
	parse_memory_stat("", &r->cg);
	if (read_file("/proc/self/cgroup", NULL) &&
		parse_cgroup_path(host_buf, cgpath, sizeof(cgpath)) &&
		strcmp(cgpath, "/") != 0)
	{
		snprintf(path, sizeof(path), "/sys/fs/cgroup%s/cpu.max", cgpath);
		if (read_file(path, NULL))
			parse_cpu_max(host_buf, &r->cg);
		snprintf(path, sizeof(path), "/sys/fs/cgroup%s/memory.max", cgpath);
		if (read_file(path, NULL))
			parse_memory_max(host_buf, &r->cg);
		r->container = r->cg.cpu_quota_usec != PGHERO_HOST_UNKNOWN ||
			r->cg.memory_max != PGHERO_HOST_UNKNOWN;
		if (r->container)
		{
			snprintf(path, sizeof(path), "/sys/fs/cgroup%s/cpu.stat", cgpath);
			if (read_file(path, r))
				parse_cpu_stat(host_buf, &r->cg);
			r->c.in_cgroup = true;
			r->c.cg_usage_usec = r->cg.usage_usec;
			r->c.cg_user_usec = r->cg.user_usec;
			r->c.cg_system_usec = r->cg.system_usec;
			if (!counters_only)
			{
				snprintf(path, sizeof(path), "/sys/fs/cgroup%s/memory.current", cgpath);
				if (read_file(path, r))
					parse_memory_current(host_buf, &r->cg);
				snprintf(path, sizeof(path), "/sys/fs/cgroup%s/memory.stat", cgpath);
				if (read_file(path, r))
					parse_memory_stat(host_buf, &r->cg);
			}
		}
	}
}

/* ------------------------------------------------------------------------
 * Shared memory: the last two readings
 * ------------------------------------------------------------------------
 */

/*
 * pghero_host_shmem_size
 *		Shared memory of the host readings; requested while preloading,
 *		with the LWLock tranche PGHERO_HOST_TRANCHE of one lock.
 */
Size
pghero_host_shmem_size(void)
{
	return MAXALIGN(sizeof(PgheroHostShared));
}

/*
 * pghero_host_shmem_init
 *		Create or attach to the host readings (shmem_startup_hook).
 */
void
pghero_host_shmem_init(void)
{
	bool		found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	host_shared = ShmemInitStruct("pghero host", sizeof(PgheroHostShared),
								  &found);
	if (!found)
	{
		memset(host_shared, 0, sizeof(PgheroHostShared));
		host_shared->lock = &(GetNamedLWLockTranche(PGHERO_HOST_TRANCHE))->lock;
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * pghero_host_sample
 *		Take a reading of the host's counters into shared memory.
 *
 * Needs no transaction and allocates nothing (static buffers); does nothing
 * without shared memory.  Never raises an error: what cannot be read is
 * kept unknown.
 */
void
pghero_host_sample(void)
{
	if (host_shared == NULL)
		return;
	read_host(&sample_reading, true);
	LWLockAcquire(host_shared->lock, LW_EXCLUSIVE);
	if (host_shared->count > 0)
		host_shared->newest = 1 - host_shared->newest;
	host_shared->readings[host_shared->newest] = sample_reading.c;
	if (host_shared->count < 2)
		host_shared->count++;
	LWLockRelease(host_shared->lock);
}

/*
 * pghero_host_sample_sql() returns boolean
 *		pghero_host_sample() for the tests: whether shared memory is there.
 */
Datum
pghero_host_sample_sql(PG_FUNCTION_ARGS)
{
	pghero_host_sample();
	PG_RETURN_BOOL(host_shared != NULL);
}

/* ------------------------------------------------------------------------
 * SQL functions
 * ------------------------------------------------------------------------
 */

/* The difference of two counters, or unknown if either is or it went down. */
static int64
counter_delta(int64 older, int64 newer)
{
	if (older == PGHERO_HOST_UNKNOWN || newer == PGHERO_HOST_UNKNOWN ||
		newer < older)
		return PGHERO_HOST_UNKNOWN;
	return newer - older;
}

/* Set values[i] to a bigint, NULL if unknown. */
static void
set_int8(Datum *values, bool *nulls, int i, int64 v)
{
	nulls[i] = (v == PGHERO_HOST_UNKNOWN);
	values[i] = nulls[i] ? (Datum) 0 : Int64GetDatum(v);
}

/* Set values[i] to a float8, NULL if negative (unknown) or not finite. */
static void
set_float8(Datum *values, bool *nulls, int i, double v)
{
	nulls[i] = (v < 0 || isnan(v) || isinf(v));
	values[i] = nulls[i] ? (Datum) 0 : Float8GetDatum(v);
}

/* btime (seconds since the epoch) as a timestamptz Datum */
static Datum
boot_time(int64 btime)
{
	return TimestampTzGetDatum(time_t_to_timestamptz((pg_time_t) btime));
}

#define PGHERO_HOST_STATUS_COLS 27

/*
 * pghero_host_status() returns one row (see pghero_internal._host_status in
 * sql/src/16_status_host.sql for the columns): instantaneous figures read now,
 * and percentages and rates over the interval between the last two
 * samples in shared memory.
 */
Datum
pghero_host_status(PG_FUNCTION_ARGS)
{
	static PgheroHostReading now;
	PgheroHostCounters older;
	PgheroHostCounters newer;
	bool		have_interval = false;
	TupleDesc	tupdesc;
	Datum		values[PGHERO_HOST_STATUS_COLS];
	bool		nulls[PGHERO_HOST_STATUS_COLS];
	double		cpu_limit = -1;
	double		cpus;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (tupdesc->natts != PGHERO_HOST_STATUS_COLS)
		elog(ERROR, "_host_status() returns %d columns, expected %d",
			 tupdesc->natts, PGHERO_HOST_STATUS_COLS);
	memset(values, 0, sizeof(values));
	memset(nulls, 0, sizeof(nulls));

	read_host(&now, false);

	if (host_shared == NULL)
		add_reason(&now, "interval figures",
				   "pghero is not loaded via shared_preload_libraries");
	else
	{
		LWLockAcquire(host_shared->lock, LW_SHARED);
		if (host_shared->count == 2)
		{
			newer = host_shared->readings[host_shared->newest];
			older = host_shared->readings[1 - host_shared->newest];
			have_interval = true;
		}
		LWLockRelease(host_shared->lock);
		if (!have_interval)
			add_reason(&now, "interval figures",
					   "fewer than two samples taken yet (the collector samples every pghero.activity_sample_interval)");
		else if (older.stat.btime != newer.stat.btime)
		{
			add_reason(&now, "interval figures",
					   "the host restarted between the last two samples");
			have_interval = false;
		}
		else if (newer.read_at <= older.read_at)
			have_interval = false;
	}

	/* figures_from, cpu_count, cpu_limit, loads */
	values[0] = CStringGetTextDatum(now.container ? "container" : "host");
	nulls[1] = now.c.stat.cpu_count == PGHERO_HOST_UNKNOWN;
	values[1] = nulls[1] ? (Datum) 0 :
		Int32GetDatum((int32) now.c.stat.cpu_count);
	if (now.container && now.cg.cpu_quota_usec != PGHERO_HOST_UNKNOWN)
		cpu_limit = (double) now.cg.cpu_quota_usec / now.cg.cpu_period_usec;
	set_float8(values, nulls, 2, cpu_limit);
	for (int i = 0; i < 3; i++)
		set_float8(values, nulls, 3 + i, now.load.load[i]);

	/*
	 * Over the interval: 6..10 cpu busy, user, system, iowait, steal
	 * percent; 11 seconds; 16, 17 swap; 18..22 disk; 23 sampled_at
	 */
	for (int i = 6; i <= 23; i++)
		nulls[i] = (i <= 11 || i >= 16);
	if (have_interval)
	{
		double		secs = (double) (newer.read_at - older.read_at) / USECS_PER_SEC;

		set_float8(values, nulls, 11, secs);
		if (now.container && newer.in_cgroup && older.in_cgroup)
		{
			int64		usage = counter_delta(older.cg_usage_usec, newer.cg_usage_usec);
			int64		user = counter_delta(older.cg_user_usec, newer.cg_user_usec);
			int64		sys = counter_delta(older.cg_system_usec, newer.cg_system_usec);

			cpus = cpu_limit > 0 ? cpu_limit : (double) newer.stat.cpu_count;
			if (cpus > 0)
			{
				double		avail = secs * USECS_PER_SEC * cpus;

				if (usage != PGHERO_HOST_UNKNOWN)
					set_float8(values, nulls, 6, Min(100.0, 100.0 * usage / avail));
				if (user != PGHERO_HOST_UNKNOWN)
					set_float8(values, nulls, 7, Min(100.0, 100.0 * user / avail));
				if (sys != PGHERO_HOST_UNKNOWN)
					set_float8(values, nulls, 8, Min(100.0, 100.0 * sys / avail));
			}
		}
		else
		{
			int64		d[PGHERO_HOST_CPU_FIELDS];
			int64		total = 0;
			bool		all = true;

			for (int i = 0; i < PGHERO_HOST_CPU_FIELDS; i++)
			{
				d[i] = counter_delta(older.stat.cpu[i], newer.stat.cpu[i]);
				if (d[i] == PGHERO_HOST_UNKNOWN)
					all = false;
				else
					total += d[i];
			}
			if (all && total > 0)
			{
				/* busy: all but idle and iowait */
				set_float8(values, nulls, 6,
						   100.0 * (total - d[3] - d[4]) / total);
				set_float8(values, nulls, 7, 100.0 * (d[0] + d[1]) / total);
				set_float8(values, nulls, 8,
						   100.0 * (d[2] + d[5] + d[6]) / total);
				set_float8(values, nulls, 9, 100.0 * d[4] / total);
				set_float8(values, nulls, 10, 100.0 * d[7] / total);
			}
		}
		/* 16, 17: swap in, out, pages per second */
		{
			int64		in = counter_delta(older.vm.pswpin, newer.vm.pswpin);
			int64		out = counter_delta(older.vm.pswpout, newer.vm.pswpout);

			if (in != PGHERO_HOST_UNKNOWN)
				set_float8(values, nulls, 16, in / secs);
			if (out != PGHERO_HOST_UNKNOWN)
				set_float8(values, nulls, 17, out / secs);
		}
		/* 18..22: reads, writes, read and written bytes per second, busy % */
		if (strcmp(older.disk.name, newer.disk.name) == 0 &&
			newer.disk.name[0] != '\0')
		{
			int64		r = counter_delta(older.disk.reads, newer.disk.reads);
			int64		w = counter_delta(older.disk.writes, newer.disk.writes);
			int64		sr = counter_delta(older.disk.sectors_read,
										   newer.disk.sectors_read);
			int64		sw = counter_delta(older.disk.sectors_written,
										   newer.disk.sectors_written);
			int64		io = counter_delta(older.disk.io_ms, newer.disk.io_ms);

			if (r != PGHERO_HOST_UNKNOWN)
				set_float8(values, nulls, 18, r / secs);
			if (w != PGHERO_HOST_UNKNOWN)
				set_float8(values, nulls, 19, w / secs);
			/* diskstats sectors are 512 bytes, whatever the device's */
			if (sr != PGHERO_HOST_UNKNOWN)
				set_float8(values, nulls, 20, sr * 512.0 / secs);
			if (sw != PGHERO_HOST_UNKNOWN)
				set_float8(values, nulls, 21, sw * 512.0 / secs);
			if (io != PGHERO_HOST_UNKNOWN)
				set_float8(values, nulls, 22,
						   Min(100.0, 100.0 * io / (secs * 1000.0)));
		}
		values[23] = TimestampTzGetDatum(newer.read_at);
		nulls[23] = false;
	}

	/* 12..15: memory total, available, swap total, used */
	if (now.container && now.cg.memory_max != PGHERO_HOST_UNKNOWN)
	{
		set_int8(values, nulls, 12, now.cg.memory_max);
		if (now.cg.memory_current != PGHERO_HOST_UNKNOWN &&
			now.cg.file != PGHERO_HOST_UNKNOWN)
		{
			int64		used = now.cg.memory_current - now.cg.file;

			used = Max(used, 0);
			set_int8(values, nulls, 13, Max(now.cg.memory_max - used, 0));
		}
		else
			nulls[13] = true;
	}
	else
	{
		set_int8(values, nulls, 12, now.mem.mem_total);
		set_int8(values, nulls, 13, now.mem.mem_available);
	}
	set_int8(values, nulls, 14, now.mem.swap_total);
	if (now.mem.swap_total != PGHERO_HOST_UNKNOWN &&
		now.mem.swap_free != PGHERO_HOST_UNKNOWN &&
		now.mem.swap_free <= now.mem.swap_total)
		values[15] = Int64GetDatum(now.mem.swap_total - now.mem.swap_free);
	else
		nulls[15] = true;

	/* 24: disk device, 25: booted_at, 26: unavailable */
	if (now.c.disk.name[0] != '\0')
		values[24] = CStringGetTextDatum(now.c.disk.name);
	else
		nulls[24] = true;
	if (now.c.stat.btime != PGHERO_HOST_UNKNOWN)
		values[25] = boot_time(now.c.stat.btime);
	else
		nulls[25] = true;
	if (now.unavailable[0] != '\0')
		values[26] = CStringGetTextDatum(now.unavailable);
	else
		nulls[26] = true;

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

#define PGHERO_HOST_COUNTERS_COLS 22

/*
 * pghero_host_counters() returns one row of the host's cumulative counters
 * and gauges, read now, for the capture of pghero_internal.host_history
 * (see pghero_internal._host_counters in sql/src/16_status_host.sql).
 */
Datum
pghero_host_counters(PG_FUNCTION_ARGS)
{
	static PgheroHostReading now;
	TupleDesc	tupdesc;
	Datum		values[PGHERO_HOST_COUNTERS_COLS];
	bool		nulls[PGHERO_HOST_COUNTERS_COLS];
	int64		busy = PGHERO_HOST_UNKNOWN;
	int64		total = PGHERO_HOST_UNKNOWN;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (tupdesc->natts != PGHERO_HOST_COUNTERS_COLS)
		elog(ERROR, "_host_counters() returns %d columns, expected %d",
			 tupdesc->natts, PGHERO_HOST_COUNTERS_COLS);
	memset(values, 0, sizeof(values));
	memset(nulls, 0, sizeof(nulls));

	read_host(&now, false);

	values[0] = CStringGetTextDatum(now.container ? "container" : "host");
	if (now.c.stat.btime != PGHERO_HOST_UNKNOWN)
		values[1] = boot_time(now.c.stat.btime);
	else
		nulls[1] = true;
	nulls[2] = now.c.stat.cpu_count == PGHERO_HOST_UNKNOWN;
	values[2] = nulls[2] ? (Datum) 0 :
		Int32GetDatum((int32) now.c.stat.cpu_count);

	/*
	 * CPU time in microseconds: the cgroup's, or the host's ticks (all
	 * fields known) at USER_HZ
	 */
	if (now.container && now.c.in_cgroup)
	{
		busy = now.c.cg_usage_usec;
		if (now.cg.cpu_quota_usec != PGHERO_HOST_UNKNOWN)
			set_float8(values, nulls, 3,
					   (double) now.cg.cpu_quota_usec / now.cg.cpu_period_usec);
		else
			nulls[3] = true;
		nulls[5] = true;
	}
	else
	{
		long		hz = sysconf(_SC_CLK_TCK);
		int64		sum = 0;
		bool		all = hz > 0;

		for (int i = 0; i < PGHERO_HOST_CPU_FIELDS && all; i++)
		{
			if (now.c.stat.cpu[i] == PGHERO_HOST_UNKNOWN)
				all = false;
			else
				sum += now.c.stat.cpu[i];
		}
		if (all)
		{
			total = sum * (USECS_PER_SEC / hz);
			busy = (sum - now.c.stat.cpu[3] - now.c.stat.cpu[4]) * (USECS_PER_SEC / hz);
		}
		nulls[3] = true;
		set_int8(values, nulls, 5, total);
	}
	set_int8(values, nulls, 4, busy);
	for (int i = 0; i < 3; i++)
		set_float8(values, nulls, 6 + i, now.load.load[i]);
	if (now.container && now.cg.memory_max != PGHERO_HOST_UNKNOWN)
	{
		set_int8(values, nulls, 9, now.cg.memory_max);
		if (now.cg.memory_current != PGHERO_HOST_UNKNOWN &&
			now.cg.file != PGHERO_HOST_UNKNOWN)
			values[10] = Int64GetDatum(Max(now.cg.memory_max -
										   Max(now.cg.memory_current - now.cg.file, 0), 0));
		else
			nulls[10] = true;
	}
	else
	{
		set_int8(values, nulls, 9, now.mem.mem_total);
		set_int8(values, nulls, 10, now.mem.mem_available);
	}
	set_int8(values, nulls, 11, now.mem.swap_total);
	if (now.mem.swap_total != PGHERO_HOST_UNKNOWN &&
		now.mem.swap_free != PGHERO_HOST_UNKNOWN &&
		now.mem.swap_free <= now.mem.swap_total)
		values[12] = Int64GetDatum(now.mem.swap_total - now.mem.swap_free);
	else
		nulls[12] = true;
	set_int8(values, nulls, 13, now.c.vm.pswpin);
	set_int8(values, nulls, 14, now.c.vm.pswpout);
	if (now.c.disk.name[0] != '\0')
		values[15] = CStringGetTextDatum(now.c.disk.name);
	else
		nulls[15] = true;
	set_int8(values, nulls, 16, now.c.disk.reads);
	set_int8(values, nulls, 17, now.c.disk.writes);
	set_int8(values, nulls, 18, now.c.disk.sectors_read == PGHERO_HOST_UNKNOWN ?
			 PGHERO_HOST_UNKNOWN : now.c.disk.sectors_read * 512);
	set_int8(values, nulls, 19, now.c.disk.sectors_written == PGHERO_HOST_UNKNOWN ?
			 PGHERO_HOST_UNKNOWN : now.c.disk.sectors_written * 512);
	set_int8(values, nulls, 20, now.c.disk.io_ms);
	if (now.unavailable[0] != '\0')
		values[21] = CStringGetTextDatum(now.unavailable);
	else
		nulls[21] = true;

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* ------------------------------------------------------------------------
 * pghero_host_parse: the parsers on a given text, as JSON
 * ------------------------------------------------------------------------
 */

static void
json_key(StringInfo s, const char *key)
{
	if (s->data[s->len - 1] != '{')
		appendStringInfoChar(s, ',');
	escape_json(s, key);
	appendStringInfoChar(s, ':');
}

static void
json_int(StringInfo s, const char *key, int64 v)
{
	json_key(s, key);
	if (v == PGHERO_HOST_UNKNOWN)
		appendStringInfoString(s, "null");
	else
		appendStringInfo(s, INT64_FORMAT, v);
}

static void
json_float(StringInfo s, const char *key, double v)
{
	json_key(s, key);
	if (v < 0)
		appendStringInfoString(s, "null");
	else
		appendStringInfo(s, "%.2f", v);
}

static void
json_bool(StringInfo s, const char *key, bool v)
{
	json_key(s, key);
	appendStringInfoString(s, v ? "true" : "false");
}

/*
 * pghero_host_parse(kind text, content text, device text DEFAULT NULL)
 * returns jsonb
 *
 * kind is one of stat, loadavg, meminfo, vmstat, diskstats (device is then
 * "major:minor"), cgroup (/proc/self/cgroup), cpu.max, cpu.stat,
 * memory.max, memory.current, memory.stat.  Unknown fields are JSON null.
 */
Datum
pghero_host_parse(PG_FUNCTION_ARGS)
{
	char	   *kind;
	char	   *content;
	StringInfoData s;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	kind = text_to_cstring(PG_GETARG_TEXT_PP(0));
	content = text_to_cstring(PG_GETARG_TEXT_PP(1));
	initStringInfo(&s);
	appendStringInfoChar(&s, '{');

	if (strcmp(kind, "stat") == 0)
	{
		PgheroHostStat st;
		const char *names[PGHERO_HOST_CPU_FIELDS] = {"user", "nice", "system",
		"idle", "iowait", "irq", "softirq", "steal"};

		parse_stat(content, &st);
		for (int i = 0; i < PGHERO_HOST_CPU_FIELDS; i++)
			json_int(&s, names[i], st.cpu[i]);
		json_int(&s, "cpu_count", st.cpu_count);
		json_int(&s, "btime", st.btime);
	}
	else if (strcmp(kind, "loadavg") == 0)
	{
		PgheroHostLoad ld;

		parse_loadavg(content, &ld);
		json_float(&s, "load_1", ld.load[0]);
		json_float(&s, "load_5", ld.load[1]);
		json_float(&s, "load_15", ld.load[2]);
	}
	else if (strcmp(kind, "meminfo") == 0)
	{
		PgheroHostMem m;

		parse_meminfo(content, &m);
		json_int(&s, "mem_total_bytes", m.mem_total);
		json_int(&s, "mem_available_bytes", m.mem_available);
		json_int(&s, "swap_total_bytes", m.swap_total);
		json_int(&s, "swap_free_bytes", m.swap_free);
	}
	else if (strcmp(kind, "vmstat") == 0)
	{
		PgheroHostVm vm;

		parse_vmstat(content, &vm);
		json_int(&s, "pswpin", vm.pswpin);
		json_int(&s, "pswpout", vm.pswpout);
	}
	else if (strcmp(kind, "diskstats") == 0)
	{
		PgheroHostDisk d;
		unsigned	maj = 0;
		unsigned	min = 0;
		char		extra;
		char	   *device;

		if (PG_ARGISNULL(2))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("diskstats needs a device"),
					 errhint("Give the device as major:minor, for example '8:1'.")));
		device = text_to_cstring(PG_GETARG_TEXT_PP(2));
		if (sscanf(device, "%u:%u%c", &maj, &min, &extra) != 2)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid device \"%s\"", device),
					 errhint("Give the device as major:minor, for example '8:1'.")));
		json_bool(&s, "found", parse_diskstats(content, maj, min, &d));
		json_key(&s, "device");
		if (d.name[0] != '\0')
			escape_json(&s, d.name);
		else
			appendStringInfoString(&s, "null");
		json_int(&s, "reads", d.reads);
		json_int(&s, "sectors_read", d.sectors_read);
		json_int(&s, "writes", d.writes);
		json_int(&s, "sectors_written", d.sectors_written);
		json_int(&s, "io_ms", d.io_ms);
	}
	else if (strcmp(kind, "cgroup") == 0)
	{
		char		path[PGHERO_HOST_PATH];

		json_key(&s, "path");
		if (parse_cgroup_path(content, path, sizeof(path)))
			escape_json(&s, path);
		else
			appendStringInfoString(&s, "null");
	}
	else if (strcmp(kind, "cpu.max") == 0)
	{
		PgheroHostCgroup cg;

		parse_cpu_max(content, &cg);
		json_bool(&s, "unlimited", cg.cpu_unlimited);
		json_int(&s, "quota_usec", cg.cpu_quota_usec);
		json_int(&s, "period_usec", cg.cpu_period_usec);
	}
	else if (strcmp(kind, "cpu.stat") == 0)
	{
		PgheroHostCgroup cg;

		parse_cpu_stat(content, &cg);
		json_int(&s, "usage_usec", cg.usage_usec);
		json_int(&s, "user_usec", cg.user_usec);
		json_int(&s, "system_usec", cg.system_usec);
		json_int(&s, "nr_throttled", cg.nr_throttled);
		json_int(&s, "throttled_usec", cg.throttled_usec);
	}
	else if (strcmp(kind, "memory.max") == 0)
	{
		PgheroHostCgroup cg;

		parse_memory_max(content, &cg);
		json_bool(&s, "unlimited", cg.memory_unlimited);
		json_int(&s, "max_bytes", cg.memory_max);
	}
	else if (strcmp(kind, "memory.current") == 0)
	{
		PgheroHostCgroup cg;

		parse_memory_current(content, &cg);
		json_int(&s, "current_bytes", cg.memory_current);
	}
	else if (strcmp(kind, "memory.stat") == 0)
	{
		PgheroHostCgroup cg;

		parse_memory_stat(content, &cg);
		json_int(&s, "anon_bytes", cg.anon);
		json_int(&s, "file_bytes", cg.file);
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown kind of host file \"%s\"", kind),
				 errhint("Use one of stat, loadavg, meminfo, vmstat, diskstats, cgroup, cpu.max, cpu.stat, memory.max, memory.current, memory.stat.")));

	appendStringInfoChar(&s, '}');
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(s.data)));
}
