-- A replayed (or retried) delivery that had finished starts the retry schedule again: the schedule counts the
-- attempts made since `schedule_base`, while `attempts` keeps counting every try for the history.
alter table webhook_deliveries add column schedule_base int not null default 0;
