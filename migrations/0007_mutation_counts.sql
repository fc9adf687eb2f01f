-- Exact totals without scanning: live mutations counted and summed per account, WIB day, direction and sandbox flag.
-- Moota's paged list must return an exact `total` (clients read last_page), and count(*) over a year of mutations
-- costs seconds; summing a few thousand rollup rows costs well under a millisecond. The rollup is maintained by the
-- same statement as every change of the live set (src/ledger/day-counts.ts): ingest adds, a tombstone subtracts.
-- Mutations of a deleted account keep their rollup rows, as they keep their own: readers join accounts and skip
-- deleted ones, exactly as the lists do. `wib_date` is the WIB (UTC+7) day of occurred_at, computed from occurred_at
-- itself, so it falls on the same boundaries as the lists' from/to filter (where.ts dayStart/dayEnd).
create table mutation_day_counts (
  workspace_id  bigint not null references workspaces (id) on delete cascade,
  account_id    bigint not null references accounts (id) on delete cascade,
  wib_date      date not null,
  direction     text not null check (direction in ('CR', 'DB')),
  sandbox       boolean not null,
  n             bigint not null,
  -- Sen.
  amount_sum    bigint not null,
  primary key (workspace_id, account_id, wib_date, direction, sandbox)
);

-- No writer may change mutations between the backfill's snapshot and this migration's commit.
lock table mutations in share mode;
insert into mutation_day_counts (workspace_id, account_id, wib_date, direction, sandbox, n, amount_sum)
select workspace_id, account_id, ((occurred_at at time zone 'UTC') + interval '7 hours')::date, direction, sandbox,
  count(*), sum(amount)
from mutations where deleted_at is null
group by 1, 2, 3, 4, 5;
