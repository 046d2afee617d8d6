/*-------------------------------------------------------------------------
 *
 * actions.c
 *		Who is asking: the caller identity behind pghero's actions.
 *
 * The actions (cancel, terminate, kill_all, reset_query_stats, ...) are
 * SECURITY DEFINER SQL functions: they run as the extension's owner so that
 * a pghero_admin can signal other users' backends without being a
 * superuser.  Inside such a function current_user is the owner, yet the
 * rules depend on the caller: whether it may act at all (the actions are
 * granted to pghero_reader and check membership of pghero_admin
 * themselves, so that a reader is told which role to ask for), only a
 * superuser may signal a superuser's session, and the audit log must name
 * who acted.  session_user is not the caller either once SET ROLE was
 * used.
 *
 * pghero_outer_role() answers GetOuterUserId(): the role in effect at the
 * outer level of the session (its SET ROLE), which security-definer
 * function calls do not change.  It carries no privilege of its own, so it
 * cannot be used to pretend to be anyone else.
 *
 * IDENTIFICATION
 *	  src/actions.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"

#include "compat.h"
#include "pghero.h"

PG_FUNCTION_INFO_V1(pghero_outer_role);

/*
 * pghero_outer_role() returns regrole
 */
Datum
pghero_outer_role(PG_FUNCTION_ARGS)
{
	PG_RETURN_OID(GetOuterUserId());
}
