-- Every call to /api/v2 and /v1, for "what did my plugin send, and what did it get?" (GET /v1/api-calls).
-- Written in batches by the HTTP process (src/apilog/recorder.ts), pruned after LUNAS_API_LOG_RETENTION_DAYS.
-- Calls without a valid token (401s, auth/login) have no workspace: they are kept for the operator (password
-- guessing shows up here) but listed to no one.
create table api_calls (
  id                bigserial primary key,
  public_id         text not null unique,
  workspace_id      bigint references workspaces (id) on delete cascade,
  -- The token used; its public id is shown, never the secret. Set null if the token row is ever deleted.
  token_id          bigint references api_tokens (id) on delete set null,
  at                timestamptz not null,
  method            text not null,
  -- Path and query string, with credential-looking query values redacted.
  path              text not null,
  status            int not null,
  latency_ms        real not null,
  -- The parsed request body with secret-looking keys redacted, cut to a few KB (then a JSON string of the cut text).
  request_body      jsonb,
  body_truncated    boolean not null default false,
  response_bytes    int,
  ip                text not null default ''
);
create index api_calls_ws_at on api_calls (workspace_id, at desc, id desc) where workspace_id is not null;
-- Retention deletes the oldest rows, workspace or not.
create index api_calls_at on api_calls (at);
