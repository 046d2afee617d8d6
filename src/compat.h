/*-------------------------------------------------------------------------
 *
 * compat.h
 *		Every PostgreSQL version difference pghero cares about.
 *
 * pghero builds against PostgreSQL 14 to 17.  Every #if on PG_VERSION_NUM
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

#if PG_VERSION_NUM < 140000
#error "pghero requires PostgreSQL 14 or later"
#endif

/* MarkGUCPrefixReserved() replaced EmitWarningsOnPlaceholders() in 15 */
#if PG_VERSION_NUM < 150000
#define MarkGUCPrefixReserved(prefix) EmitWarningsOnPlaceholders(prefix)
#endif

/* RelFileNode became RelFileLocator in 16 */
#if PG_VERSION_NUM >= 160000
#define PGHERO_REL_LOCATOR(rel)		((rel)->rd_locator)
#else
#define PGHERO_REL_LOCATOR(rel)		((rel)->rd_node)
#endif

#endif							/* PGHERO_COMPAT_H */
