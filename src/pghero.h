/*-------------------------------------------------------------------------
 *
 * pghero.h
 *		Declarations shared by pghero's source files.
 *
 * IDENTIFICATION
 *	  src/pghero.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGHERO_H
#define PGHERO_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "catalog/pg_class.h"
#include "fmgr.h"
#include "nodes/execnodes.h"

#include "compat.h"

/* GUC variables (src/pghero.c) */
extern int	pghero_long_running_query_sec;
extern int	pghero_slow_query_ms;
extern int	pghero_slow_query_calls;
extern int	pghero_total_connections_threshold;
extern int	pghero_idle_in_transaction_threshold;
extern double pghero_cache_hit_rate_threshold;
extern int	pghero_unused_index_min_bytes;
extern int	pghero_index_bloat_min_bytes;
extern double pghero_sequence_danger_percent;
extern int	pghero_transaction_id_danger;
extern int	pghero_lock_wait_threshold;
extern int	pghero_xmin_horizon_age;
extern int	pghero_prepared_xact_age;
extern int	pghero_temp_bytes_threshold;
extern double pghero_checkpoint_requested_percent;
extern double pghero_bloat_percent_threshold;
extern double pghero_disk_free_percent;
extern int	pghero_swap_pages_per_second;
extern double pghero_cpu_busy_percent;
extern int	pghero_cpu_saturated_minutes;
extern bool pghero_enabled;
extern char *pghero_database;
extern int	pghero_capture_interval;
extern int	pghero_space_interval;
extern int	pghero_raw_retention;
extern int	pghero_history_retention;
extern int	pghero_check_interval;
extern int	pghero_issue_open_after;
extern int	pghero_issue_resolve_after;

/* activity sampling (src/sampler.c) */
extern int	pghero_activity_sample_interval;
extern int	pghero_activity_max_entries;
extern int	pghero_activity_max_sessions;
extern Size pghero_activity_shmem_size(void);
extern void pghero_activity_shmem_request(void);
extern void pghero_activity_shmem_init(void);
extern void pghero_activity_sample(void);

/* the file of a relation with storage, from its pg_class row (src/relsize.c) */
extern PgheroRelFile pghero_relation_file(Oid relid, Form_pg_class rel);

/*
 * pg_stat_statements(showtext) read once, each row mapped by name onto the
 * columns of a descriptor and handed to a callback (src/pgss.c)
 */
typedef void (*PgheroPgssRowFunc) (Datum *values, bool *nulls, void *arg);
extern void pghero_pgss_read(bool showtext, TupleDesc outdesc,
							 ExprContext *econtext, PgheroPgssRowFunc fn,
							 void *arg);

/* a statement text without its passwords (src/redact.c) */
extern Datum pghero_redact_query(PG_FUNCTION_ARGS);

/* the launcher, its shared state, and the collector (src/launcher.c) */
extern Size pghero_shmem_size(void);
extern void pghero_shmem_init(void);
extern void pghero_register_launcher(void);
extern void pghero_announce_collector(void);

/*
 * the resources of the host: the last two samples in shared memory, under
 * the one lock of tranche PGHERO_HOST_TRANCHE (src/host.c)
 */
#define PGHERO_HOST_TRANCHE "pghero_host"
extern Size pghero_host_shmem_size(void);
extern void pghero_host_shmem_init(void);
extern void pghero_host_sample(void);

#endif							/* PGHERO_H */
