-- Live and sandbox mode (src/workspaces/mode.ts): a sandbox-mode token sees only sandbox data, and an endpoint
-- created by one is a sandbox endpoint, whose "every account" means every sandbox account. Existing tokens and
-- endpoints were all live.
alter table api_tokens add column mode text not null default 'live' check (mode in ('live', 'sandbox'));
alter table webhook_endpoints add column sandbox boolean not null default false;
