-- Creates one role and one database per service; idempotent.
-- Run by ./saga as the superuser with psql variables:
--   svc       service name (order | inventory | payment)
--   password  the role's password (from <rundir>/secrets/pg_<svc>.pw)
-- Role <svc>_svc (LOGIN, not superuser) owns database <svc>_db; PUBLIC may not connect to it.
-- (Schema public of a new database belongs to pg_database_owner, i.e. to <svc>_svc.)
\set ON_ERROR_STOP on
\set role :svc '_svc'
\set db :svc '_db'

SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN PASSWORD :'password';

SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8'' TEMPLATE template0', :'db', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
ALTER DATABASE :"db" OWNER TO :"role";
REVOKE CONNECT ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"role";

