/*-------------------------------------------------------------------------
 *
 * filesystems.c
 *		Size and free space of the file systems that hold the data
 *		directory and the WAL.
 *
 * statvfs(3) of the data directory and of its pg_wal (which may be a
 * symbolic link to another file system), as the server process sees them.
 * No path is returned: the location of the data directory is for
 * pg_read_all_settings, while how full its file system is belongs to the
 * dashboard.  The extension calls this from a SECURITY DEFINER view, so
 * readers see the figures of both file systems and nothing else.
 *
 * IDENTIFICATION
 *	  src/filesystems.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include "access/xlog_internal.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "compat.h"
#include "pghero.h"

PG_FUNCTION_INFO_V1(pghero_filesystems);

#define PGHERO_FILESYSTEMS_COLS 7

/*
 * pghero_filesystems() returns TABLE (kind text, total_bytes numeric,
 * free_bytes numeric, available_bytes numeric, inodes_total numeric,
 * inodes_free numeric, same_as_data boolean)
 *
 * One row for the data directory ("data") and one for the WAL ("wal").
 * available_bytes is what an unprivileged process (the server) may still
 * write; free_bytes includes the blocks reserved for root.  A file system
 * that cannot be read gives a row of NULLs and a WARNING saying why.
 */
Datum
pghero_filesystems(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const char *kinds[2] = {"data", "wal"};
	char		walpath[MAXPGPATH];
	const char *paths[2];
	dev_t		data_dev = 0;
	bool		data_read = false;
	TupleDesc	tupdesc;
	Tuplestorestate *tupstore;
	MemoryContext oldcontext;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	oldcontext = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	tupstore = tuplestore_begin_heap(false, false, work_mem);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tupstore;
	rsinfo->setDesc = CreateTupleDescCopy(tupdesc);
	MemoryContextSwitchTo(oldcontext);

	snprintf(walpath, sizeof(walpath), "%s/%s", DataDir, XLOGDIR);
	paths[0] = DataDir;
	paths[1] = walpath;

	for (int i = 0; i < 2; i++)
	{
		Datum		values[PGHERO_FILESYSTEMS_COLS];
		bool		nulls[PGHERO_FILESYSTEMS_COLS];
		struct statvfs fs;
		struct stat st;

		memset(nulls, 0, sizeof(nulls));
		values[0] = CStringGetTextDatum(kinds[i]);

		if (statvfs(paths[i], &fs) != 0 || stat(paths[i], &st) != 0)
		{
			ereport(WARNING,
					(errcode_for_file_access(),
					 errmsg("could not read the file system of the %s directory: %m",
							i == 0 ? "data" : "WAL")));
			for (int c = 1; c < PGHERO_FILESYSTEMS_COLS; c++)
				nulls[c] = true;
		}
		else
		{
			uint64		frsize = fs.f_frsize ? fs.f_frsize : fs.f_bsize;

			values[1] = DirectFunctionCall1(int8_numeric,
											Int64GetDatum((int64) (fs.f_blocks * frsize)));
			values[2] = DirectFunctionCall1(int8_numeric,
											Int64GetDatum((int64) (fs.f_bfree * frsize)));
			values[3] = DirectFunctionCall1(int8_numeric,
											Int64GetDatum((int64) (fs.f_bavail * frsize)));
			values[4] = DirectFunctionCall1(int8_numeric,
											Int64GetDatum((int64) fs.f_files));
			values[5] = DirectFunctionCall1(int8_numeric,
											Int64GetDatum((int64) fs.f_ffree));
			if (i == 0)
			{
				data_dev = st.st_dev;
				data_read = true;
				values[6] = BoolGetDatum(true);
			}
			else if (data_read)
				values[6] = BoolGetDatum(st.st_dev == data_dev);
			else
				nulls[6] = true;
		}

		tuplestore_putvalues(tupstore, rsinfo->setDesc, values, nulls);
	}

	return (Datum) 0;
}
