# Makefile for pghero (PGXS)

MODULE_big = pghero
OBJS = \
	src/pghero.o \
	src/relsize.o \
	src/sequence.o \
	src/actions.o \
	src/deparse.o \
	src/redact.o \
	src/collector.o \
	src/launcher.o \
	src/pgss.o \
	src/capture.o \
	src/filesystems.o \
	src/host.o \
	src/relnamespace.o \
	src/sampler.o

EXTENSION = pghero
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" pghero.control)
# The released scripts, exactly as released (sql/SHA256SUMS; see
# test/t/000_released.pl).
DATA = sql/pghero--1.0.sql sql/pghero--1.0--1.1.sql \
	sql/pghero--1.2.sql sql/pghero--1.1--1.2.sql
# Ready-made integrations, installed beside the scripts (README:
# "Prometheus (postgres_exporter)" and "Grafana").
DATA += contrib/postgres_exporter/pghero_queries.yaml \
	contrib/grafana/pghero-dashboard.json
# The current version's install script is built from the topic sources in
# sql/src/, in file-name order.  The upgrade from the previous release is
# its hand-written part (sql/updates/) followed by every topic source that
# is re-created on upgrade: all but the 0*.sql ones, which create state
# (schema checks, roles, tables) once, at installation; then, if there is
# one, the part of the upgrade that needs the new definitions (.post.sql).
# A step that must come before the tables change is in
# sql/updates/<previous>--<version>.pre.sql, right after the drop.
# The tables a version adds are in sql/src/0*_tables_<version>.sql, which
# both its install script and the upgrade to it run (first, after the
# definitions of the previous version are dropped).  The day a version is
# released, its two built scripts are copied into sql/ as they are, listed
# in sql/SHA256SUMS and DATA, and its hand-written upgrade parts removed.
PREVVERSION = 1.2
UPGRADE = $(PREVVERSION)--$(EXTVERSION)
DATA_built = pghero--$(EXTVERSION).sql pghero--$(UPGRADE).sql
SQL_SRC = $(sort $(wildcard sql/src/*.sql))
SQL_ONCE = $(filter sql/src/0%,$(SQL_SRC))
SQL_DEFS = $(filter-out $(SQL_ONCE),$(SQL_SRC))
PGFILEDESC = "pghero - PgHero performance dashboard inside PostgreSQL"

REGRESS = install security pgss redact activity query_stats space indexes \
	maintenance replication settings actions collector history own status issues feed overview sampling \
	security_checks
# The suite starts its own throwaway server from the installed binaries
# (pg_regress --temp-instance), with the libraries preloaded by
# test/pghero.conf, so installcheck needs no running server.
REGRESS_OPTS = --inputdir=test --temp-instance=./tmp_check \
	--temp-config=test/pghero.conf

TAP_TESTS = 1
PROVE_TESTS = test/t/*.pl

EXTRA_CLEAN = tmp_check results regression.diffs regression.out log $(DATA_built)

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


pghero--$(EXTVERSION).sql: $(SQL_SRC) Makefile
	{ printf '/* pghero--%s.sql: built by make from sql/src/; do not edit */\n\n' '$(EXTVERSION)'; \
	  printf -- '-- complain if script is sourced in psql, rather than via CREATE EXTENSION\n'; \
	  printf '\\echo Use "CREATE EXTENSION pghero" to load this file. \\quit\n'; \
	  for f in $(SQL_SRC); do printf '\n'; cat $$f; done; } > $@

pghero--$(UPGRADE).sql: sql/updates/drop_definitions.sql $(wildcard sql/updates/$(UPGRADE).pre.sql) $(wildcard sql/src/0*_tables_$(EXTVERSION).sql) $(wildcard sql/updates/$(UPGRADE).sql) $(SQL_DEFS) $(wildcard sql/updates/$(UPGRADE).post.sql) Makefile
	{ printf '/* pghero--%s.sql: built by make from sql/updates/ and sql/src/; do not edit */\n\n' '$(UPGRADE)'; \
	  printf -- '-- complain if script is sourced in psql, rather than via ALTER EXTENSION\n'; \
	  printf '\\echo Use "ALTER EXTENSION pghero UPDATE TO '"'"'%s'"'"'" to load this file. \\quit\n' '$(EXTVERSION)'; \
	  for f in $^; do case $$f in Makefile) ;; *) printf '\n'; cat $$f;; esac; done; } > $@
