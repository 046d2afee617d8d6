/*-------------------------------------------------------------------------
 *
 * compat.h
 *		Every PostgreSQL version difference pghero cares about.
 *
 * pghero builds against PostgreSQL 14 to 18.  Every #if on PG_VERSION_NUM
 * lives in this file and nowhere else; the .c files use the names defined
 * here.
 *
 * IDENTIFICATION
 *	  src/compat.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGHERO_COMPAT_H
#define PGHERO_COMPAT_H

#include "postgres.h"

#include "common/relpath.h"

#if PG_VERSION_NUM < 140000
#error "pghero requires PostgreSQL 14 or later"
#endif

/* MarkGUCPrefixReserved() replaced EmitWarningsOnPlaceholders() in 15 */
#if PG_VERSION_NUM < 150000
#define MarkGUCPrefixReserved(prefix) EmitWarningsOnPlaceholders(prefix)
#endif

/*
 * RelFileNode became RelFileLocator, and relation "filenodes" "numbers", in
 * 16; backend IDs became proc numbers in 17.
 */
#if PG_VERSION_NUM >= 160000
#include "storage/relfilelocator.h"
typedef RelFileLocator PgheroRelFile;
#define PGHERO_SET_REL_FILE(f, spc, db, rel) \
	((f).spcOid = (spc), (f).dbOid = (db), (f).relNumber = (rel))
#define PgheroRelationMapOid(relid, shared) \
	RelationMapOidToFilenumber((relid), (shared))
#else
#include "storage/relfilenode.h"
typedef RelFileNode PgheroRelFile;
#define PGHERO_SET_REL_FILE(f, spc, db, rel) \
	((f).spcNode = (spc), (f).dbNode = (db), (f).relNode = (rel))
#define PgheroRelationMapOid(relid, shared) \
	RelationMapOidToFilenode((relid), (shared))
#endif

/*
 * Shared memory is requested in shmem_request_hook from 15 on, and directly
 * in _PG_init before.  PGHERO_REQUEST_SHMEM(prev, fn) installs fn as that
 * hook, saving the previous one in prev, or calls fn at once.
 */
#if PG_VERSION_NUM >= 150000
#define PGHERO_REQUEST_SHMEM(prev, fn) \
	((prev) = shmem_request_hook, shmem_request_hook = (fn))
#else
typedef void (*shmem_request_hook_type) (void);
#define PGHERO_REQUEST_SHMEM(prev, fn) ((prev) = NULL, (fn) ())
#endif

/*
 * ReadBufferWithoutRelcache() is told whether the relation is permanent
 * from 15 on (unlogged sequences came then too); before, every relation it
 * read was.
 */
#if PG_VERSION_NUM >= 150000
#define PgheroReadBufferWithoutRelcache(file, fork, block, permanent) \
	ReadBufferWithoutRelcache((file), (fork), (block), RBM_NORMAL, NULL, \
							  (permanent))
#else
#define PgheroReadBufferWithoutRelcache(file, fork, block, permanent) \
	ReadBufferWithoutRelcache((file), (fork), (block), RBM_NORMAL, NULL)
#endif

#if PG_VERSION_NUM >= 170000
#define PGHERO_INVALID_BACKEND INVALID_PROC_NUMBER
#define PgheroTempNamespaceBackend(nsp) GetTempNamespaceProcNumber(nsp)
#else
#define PGHERO_INVALID_BACKEND InvalidBackendId
#define PgheroTempNamespaceBackend(nsp) GetTempNamespaceBackendId(nsp)
#endif

/*
 * relpathbackend() returns a palloc'd string before 18 and a RelPathStr, a
 * struct holding the path, from 18 on.  pghero_rel_path() copies the path
 * into the caller's buffer of MAXPGPATH bytes either way.
 */
static inline void
pghero_rel_path(char *buf, PgheroRelFile file, int backend,
				ForkNumber forknum)
{
#if PG_VERSION_NUM >= 180000
	RelPathStr	path = relpathbackend(file, backend, forknum);

	strlcpy(buf, path.str, MAXPGPATH);
#else
	char	   *path = relpathbackend(file, backend, forknum);

	strlcpy(buf, path, MAXPGPATH);
	pfree(path);
#endif
}

/*
 * 18 replaced the suffix pg_attribute_noreturn() by the prefix pg_noreturn
 * (C11 _Noreturn); pghero declares its worker's entry point with the
 * suffix, which GCC and Clang spell as an attribute.
 */
#if PG_VERSION_NUM >= 180000
#if defined(__GNUC__)
#define pg_attribute_noreturn() __attribute__((noreturn))
#else
#define pg_attribute_noreturn()
#endif
#endif

/*
 * A background worker that commits a NOTIFY must have the listeners
 * signalled before 15 (ProcessCompletedNotifies(), which PostgresMain calls
 * for a client backend); from 15 on, the commit signals them itself.
 */
#if PG_VERSION_NUM < 150000
#include "commands/async.h"
#define PgheroNotifyAfterCommit() ProcessCompletedNotifies()
#else
#define PgheroNotifyAfterCommit() ((void) 0)
#endif

/*
 * A backend's status from the local snapshot, by its position (1 to
 * pgstat_fetch_stat_numbackends()): renamed in 16.
 */
#if PG_VERSION_NUM >= 160000
#define PgheroLocalBackendStatus(idx) pgstat_get_local_beentry_by_index(idx)
#else
#define PgheroLocalBackendStatus(idx) pgstat_fetch_stat_local_beentry(idx)
#endif

/*
 * The wait event of pghero's workers while they sleep: from 17 on, a custom
 * wait event of its own (WaitEventExtensionNew), named in
 * pg_stat_activity.wait_event; before, the generic "Extension".
 */
#if PG_VERSION_NUM >= 170000
#define PGHERO_HAS_CUSTOM_WAIT_EVENTS 1
#define PgheroWaitEventNew(name) WaitEventExtensionNew(name)
#else
#define PgheroWaitEventNew(name) ((uint32) PG_WAIT_EXTENSION)
#endif

/*
 * simple_heap_update() says which indexes need new entries from 16 on
 * (TU_UpdateIndexes: none, all, or only the summarizing ones, which 16
 * introduced); before, all of them unless the update was HOT.
 * pghero_simple_heap_update() returns PGHERO_INDEXES_NONE, _ALL or
 * _SUMMARIZING either way; PgheroIndexIsSummarizing() tells a summarizing
 * index (BRIN) from 16 on, and no index before.
 */
#include "access/heapam.h"
#include "access/htup_details.h"
#include "utils/rel.h"

#define PGHERO_INDEXES_NONE 0
#define PGHERO_INDEXES_ALL 1
#define PGHERO_INDEXES_SUMMARIZING 2

static inline int
pghero_simple_heap_update(Relation rel, ItemPointer otid, HeapTuple tup)
{
#if PG_VERSION_NUM >= 160000
	TU_UpdateIndexes update_indexes;

	simple_heap_update(rel, otid, tup, &update_indexes);
	return update_indexes == TU_None ? PGHERO_INDEXES_NONE :
		update_indexes == TU_Summarizing ? PGHERO_INDEXES_SUMMARIZING :
		PGHERO_INDEXES_ALL;
#else
	simple_heap_update(rel, otid, tup);
	return HeapTupleIsHeapOnly(tup) ? PGHERO_INDEXES_NONE : PGHERO_INDEXES_ALL;
#endif
}

#if PG_VERSION_NUM >= 160000
#include "access/amapi.h"
#define PgheroIndexIsSummarizing(indexrel) ((indexrel)->rd_indam->amsummarizing)
#else
#define PgheroIndexIsSummarizing(indexrel) false
#endif

/*
 * An index access method may keep state across index_insert() calls of a
 * statement (BRIN keeps its revmap pinned) from 17 on, released by
 * index_insert_cleanup().
 */
#if PG_VERSION_NUM >= 170000
#define PgheroIndexInsertCleanup(indexrel, info) \
	index_insert_cleanup((indexrel), (info))
#else
#define PgheroIndexInsertCleanup(indexrel, info) ((void) 0)
#endif

#endif							/* PGHERO_COMPAT_H */
