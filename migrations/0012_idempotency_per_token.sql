-- An idempotency key belongs to the token that sent it, not to the whole workspace: a stored answer can hold a
-- secret shown once (POST /v1/tokens), and another member reusing the same key must run their own request, never
-- receive the first caller's answer. Rows from before this migration name no token; they are dropped (keys are
-- short-lived retry handles, so the worst case is one retried write during the upgrade window answering afresh).
delete from idempotency_keys;
alter table idempotency_keys drop constraint idempotency_keys_pkey;
alter table idempotency_keys add column token_id bigint not null references api_tokens (id) on delete cascade;
alter table idempotency_keys add primary key (workspace_id, token_id, key);
