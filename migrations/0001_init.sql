-- Foundation schema. Plain SQL for PostgreSQL 15 and PGlite (PG 18) alike: no PG16+ features.
-- Money is bigint sen; times are timestamptz (UTC); every public object has an 11-character random public_id.

create table workspaces (
  id          bigserial primary key,
  public_id   text not null unique,
  name        text not null unique,
  created_at  timestamptz not null default now()
);

create table users (
  id             bigserial primary key,
  public_id      text not null unique,
  email          text not null unique check (email = lower(email)),
  name           text not null default '',
  password_hash  text not null,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now()
);

-- A user may belong to several workspaces; roles arrive with the teams issue.
create table memberships (
  workspace_id  bigint not null references workspaces (id) on delete cascade,
  user_id       bigint not null references users (id) on delete cascade,
  created_at    timestamptz not null default now(),
  primary key (workspace_id, user_id)
);
create index memberships_user on memberships (user_id);

-- Personal access tokens: only the SHA-256 of the token is kept; `hint` is its last four characters for display.
create table api_tokens (
  id            bigserial primary key,
  public_id     text not null unique,
  workspace_id  bigint not null references workspaces (id) on delete cascade,
  user_id       bigint not null references users (id) on delete cascade,
  name          text not null default '',
  token_hash    text not null unique,
  hint          text not null,
  scopes        text[] not null,
  created_at    timestamptz not null default now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);

create table accounts (
  id                bigserial primary key,
  public_id         text not null unique,
  workspace_id      bigint not null references workspaces (id) on delete cascade,
  kind              text not null check (kind in ('bank', 'va', 'gateway', 'qris', 'ewallet', 'cash')),
  bank_type         text not null,
  account_number    text not null,
  holder_name       text not null,
  label             text not null default '',
  refresh_minutes   int not null default 15 check (refresh_minutes between 1 and 1440),
  active            boolean not null default true,
  sandbox           boolean not null default false,
  -- Source-specific, non-secret settings (e.g. the sandbox feed's rate and injected failures).
  settings          jsonb not null default '{}',
  -- Bank/SNAP/gateway credentials, AES-256-GCM under LUNAS_SECRET_KEY; never returned by any API.
  credentials_enc   text,
  next_sync_at      timestamptz,
  sync_lease_until  timestamptz,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  deleted_at        timestamptz
);
create unique index accounts_number on accounts (workspace_id, bank_type, account_number) where deleted_at is null;
create index accounts_due on accounts (next_sync_at) where active and deleted_at is null;

-- One row per refresh of an account: the audit trail that tells "no new transactions" from "reading failed".
create table sync_runs (
  id            bigserial primary key,
  public_id     text not null unique,
  workspace_id  bigint not null references workspaces (id) on delete cascade,
  account_id    bigint not null references accounts (id) on delete cascade,
  trigger       text not null check (trigger in ('schedule', 'manual')),
  status        text not null check (status in ('running', 'ok', 'no_new', 'failed')),
  started_at    timestamptz not null default now(),
  finished_at   timestamptz,
  rows_seen     int not null default 0,
  rows_new      int not null default 0,
  error         text,
  worker        text not null default ''
);
create index sync_runs_account on sync_runs (account_id, started_at desc);

-- The ledger. `identity` is what makes a re-read a duplicate (docs/domain.md); a deleted mutation keeps its row
-- (deleted_at set) as a tombstone so a re-read does not bring it back.
create table mutations (
  id            bigserial primary key,
  public_id     text not null unique,
  workspace_id  bigint not null references workspaces (id) on delete cascade,
  account_id    bigint not null references accounts (id) on delete cascade,
  identity      text not null,
  occurred_at   timestamptz not null,
  wib_date      date not null,
  -- Index of the row within its WIB day in the source's own order: the tie-break after occurred_at.
  position      int not null,
  direction     char(2) not null check (direction in ('CR', 'DB')),
  amount        bigint not null check (amount >= 0),
  description   text not null,
  balance       bigint,
  note          text not null default '',
  source        text not null,
  reference     text,
  raw           jsonb not null,
  sandbox       boolean not null,
  sync_run_id   bigint references sync_runs (id) on delete set null,
  read_at       timestamptz not null default now(),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  deleted_at    timestamptz,
  unique (account_id, identity)
);
create index mutations_ws_time on mutations (workspace_id, occurred_at desc, id desc) where deleted_at is null;
create index mutations_account_time on mutations (account_id, occurred_at, position, id);
create index mutations_ws_amount on mutations (workspace_id, amount) where deleted_at is null;

create table tags (
  id            bigserial primary key,
  public_id     text not null unique,
  workspace_id  bigint not null references workspaces (id) on delete cascade,
  name          text not null,
  created_at    timestamptz not null default now()
);
create unique index tags_name on tags (workspace_id, lower(name));

create table mutation_tags (
  mutation_id  bigint not null references mutations (id) on delete cascade,
  tag_id       bigint not null references tags (id) on delete cascade,
  created_at   timestamptz not null default now(),
  primary key (mutation_id, tag_id)
);
create index mutation_tags_tag on mutation_tags (tag_id);

-- A break in the running balance: previous balance ± amount ≠ the balance the source reported on this mutation.
create table balance_gaps (
  id                bigserial primary key,
  workspace_id      bigint not null references workspaces (id) on delete cascade,
  account_id        bigint not null references accounts (id) on delete cascade,
  mutation_id       bigint not null unique references mutations (id) on delete cascade,
  previous_id       bigint not null references mutations (id) on delete cascade,
  expected_balance  bigint not null,
  reported_balance  bigint not null,
  detected_at       timestamptz not null default now()
);
create index balance_gaps_account on balance_gaps (account_id);

-- The outbox: written in the same transaction as the mutations it announces; delivery arrives with the webhook issue.
create table events (
  id            bigserial primary key,
  public_id     text not null unique,
  workspace_id  bigint not null references workspaces (id) on delete cascade,
  type          text not null,
  account_id    bigint references accounts (id) on delete cascade,
  mutation_id   bigint references mutations (id) on delete cascade,
  sandbox       boolean not null default false,
  created_at    timestamptz not null default now()
);
create index events_ws on events (workspace_id, id);
