-- Webhooks (docs/adr/0011-webhook-delivery.md): endpoints, deliveries (queue item and record in one row, body frozen at
-- fan-out), every attempt, alerts; and a per-workspace event sequence for the catch-up feed.

-- Events are numbered per workspace by a counter on the workspace row, bumped by the statement that inserts them. The
-- row lock is held to commit, so a reader never sees a lower number appear after a higher one.
alter table workspaces add column event_seq bigint not null default 0;
alter table events add column seq bigint;
-- Non-mutation events (alerts) carry their facts here; mutation events point at the mutation instead.
alter table events add column data jsonb;
update events e set seq = n.seq
  from (select id, row_number() over (partition by workspace_id order by id) as seq from events) n
  where e.id = n.id;
update workspaces w set event_seq = coalesce((select max(seq) from events e where e.workspace_id = w.id), 0);
alter table events alter column seq set not null;
create unique index events_ws_seq on events (workspace_id, seq);

create table webhook_endpoints (
  id                 bigserial primary key,
  public_id          text not null unique,
  workspace_id       bigint not null references workspaces (id) on delete cascade,
  url                text not null,
  -- Moota shows secret_token to its owner, so it is encrypted (AES-256-GCM under LUNAS_SECRET_KEY), not hashed.
  secret_enc         text not null,
  -- null: every live account of the workspace (Moota's bank_account_id "").
  account_id         bigint references accounts (id) on delete cascade,
  kinds              text not null default 'both' check (kinds in ('credit', 'debit', 'both')),
  start_unique_code  int not null default 0 check (start_unique_code between 0 and 999),
  end_unique_code    int not null default 999 check (end_unique_code between 0 and 999),
  event_types        text[] not null default '{mutation.created}',
  format             text not null default 'moota' check (format in ('moota', 'lunas')),
  active             boolean not null default true,
  disabled_at        timestamptz,
  disabled_reason    text,
  max_in_flight      int not null default 4 check (max_in_flight between 1 and 64),
  -- webhook-sequence: the last number given to a delivery of this endpoint.
  last_seq           bigint not null default 0,
  -- The first failure since the last success; null while the endpoint is healthy.
  failing_since      timestamptz,
  last_success_at    timestamptz,
  last_claimed_at    timestamptz,
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  deleted_at         timestamptz,
  check (start_unique_code <= end_unique_code)
);
create index webhook_endpoints_ws on webhook_endpoints (workspace_id) where deleted_at is null;

create table webhook_deliveries (
  id               bigserial primary key,
  -- The webhook-id header: the same on every attempt and replay of this delivery.
  public_id        text not null unique,
  workspace_id     bigint not null references workspaces (id) on delete cascade,
  endpoint_id      bigint not null references webhook_endpoints (id) on delete cascade,
  seq              bigint not null,
  event_type       text not null,
  trigger          text not null check (trigger in ('event', 'push', 'test')),
  -- The exact bytes every attempt sends.
  body             text not null,
  mutation_ids     bigint[] not null default '{}',
  status           text not null default 'pending' check (status in ('pending', 'succeeded', 'failed')),
  attempts         int not null default 0,
  next_attempt_at  timestamptz not null default now(),
  lease_until      timestamptz,
  claim_token      text,
  last_status      int,
  last_error       text,
  created_at       timestamptz not null default now(),
  completed_at     timestamptz,
  unique (endpoint_id, seq)
);
create index webhook_deliveries_due on webhook_deliveries (endpoint_id, next_attempt_at) where status = 'pending';
create index webhook_deliveries_ws on webhook_deliveries (workspace_id, created_at desc, id desc);
create index webhook_deliveries_mutations on webhook_deliveries using gin (mutation_ids);

create table webhook_attempts (
  id                bigserial primary key,
  workspace_id      bigint not null references workspaces (id) on delete cascade,
  delivery_id       bigint not null references webhook_deliveries (id) on delete cascade,
  endpoint_id       bigint not null references webhook_endpoints (id) on delete cascade,
  attempt           int not null,
  started_at        timestamptz not null,
  latency_ms        int not null,
  status_code       int,
  error             text,
  request_headers   jsonb not null,
  response_headers  jsonb,
  -- The first 4 KB of what the receiver answered.
  response_body     text,
  worker            text not null default ''
);
create index webhook_attempts_delivery on webhook_attempts (delivery_id, id);
create index webhook_attempts_endpoint on webhook_attempts (endpoint_id, started_at desc);
create index webhook_attempts_age on webhook_attempts (started_at);

-- What the dashboard shows as needing the merchant's attention (an endpoint disabled, a delivery given up).
create table alerts (
  id            bigserial primary key,
  public_id     text not null unique,
  workspace_id  bigint not null references workspaces (id) on delete cascade,
  kind          text not null,
  message       text not null,
  endpoint_id   bigint references webhook_endpoints (id) on delete cascade,
  data          jsonb not null default '{}',
  created_at    timestamptz not null default now(),
  resolved_at   timestamptz
);
create index alerts_ws on alerts (workspace_id, created_at desc);
