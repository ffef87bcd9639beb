#!/bin/sh
# Run once by the postgres image on a fresh data volume (docker-entrypoint-initdb.d):
# lets the `postgres-replica` service (docker-compose profile `replica`) stream from
# this server with the database user's password. For a volume created before this
# script existed, run the same line by hand and reload (docs/operating/scaling.md).
set -e
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
