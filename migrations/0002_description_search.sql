-- Substring search on descriptions ("find Budi's payment" for CS): a trigram index, so `ilike '%budi%'` over
-- millions of mutations uses an index instead of a full scan. pg_trgm is a trusted extension on PostgreSQL 13+
-- (the database owner may create it) and is bundled with PGlite.
create extension if not exists pg_trgm;
create index mutations_description_trgm on mutations using gin (description gin_trgm_ops);
