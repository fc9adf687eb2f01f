-- A single amount may be up to 15 rupiah digits (99,999,999,999,999,999 sen, src/shared/money.ts), so 93 of them on
-- one account, day and direction overflowed the bigint sum. numeric has no such limit; readers already take the sums
-- as text into BigInt.
alter table mutation_day_counts alter column amount_sum type numeric;
