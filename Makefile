# Makefile for pghero (PGXS)

MODULE_big = pghero
OBJS = \
	src/pghero.o \
	src/relsize.o \
	src/sequence.o \
	src/actions.o \
	src/deparse.o \
	src/collector.o

EXTENSION = pghero
DATA = sql/pghero--1.0.sql sql/pghero--1.0--1.1.sql sql/pghero--1.1.sql
PGFILEDESC = "pghero - PgHero performance dashboard inside PostgreSQL"

REGRESS = install security activity query_stats space indexes \
	maintenance replication settings actions collector
# The suite starts its own throwaway server from the installed binaries
# (pg_regress --temp-instance), with the libraries preloaded by
# test/pghero.conf, so installcheck needs no running server.
REGRESS_OPTS = --inputdir=test --temp-instance=./tmp_check \
	--temp-config=test/pghero.conf

TAP_TESTS = 1
PROVE_TESTS = test/t/*.pl

EXTRA_CLEAN = tmp_check results regression.diffs regression.out log

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)

# PostgreSQL's headers are system headers to us: strict warning flags given
# in COPT (the test command uses -Wall -Wextra -Werror) then apply to
# pghero's own code, not to the server's inline functions.
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server)
include $(PGXS)

# PostgreSQL 16 and later read the expected outputs from --inputdir unless
# told otherwise; ours live in the top-level expected/ as on PostgreSQL 15.
ifeq ($(shell test $(MAJORVERSION) -ge 16 2>/dev/null && echo yes),yes)
REGRESS_OPTS += --expecteddir=.
endif

