-- "Refresh now": remembered until the scheduler claims the account, so the run is recorded as `manual`.
alter table accounts add column refresh_requested_at timestamptz;
