-- Idempotency keys of /v1 writes (`Idempotency-Key` header): one row per (workspace, key). While the first request
-- runs, status is null (a second one gets 409); afterwards the row holds the response, replayed to a retry with the
-- same method, path and body (request_hash). Rows expire (LUNAS_IDEMPOTENCY_TTL_HOURS) and are pruned.
create table idempotency_keys (
  workspace_id   bigint not null references workspaces (id) on delete cascade,
  key            text not null check (length(key) between 1 and 255),
  request_hash   text not null,
  status         int,
  response_type  text,
  response_body  text,
  created_at     timestamptz not null default now(),
  expires_at     timestamptz not null,
  primary key (workspace_id, key)
);
create index idempotency_keys_expiry on idempotency_keys (expires_at);
