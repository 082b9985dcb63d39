-- Login throttling moves from each server's memory into the database, so that several app servers
-- on one database share the counters: N servers must not allow N times the guesses.
-- One row per throttled key: (account, address), address, account, or trusted device. Times are
-- milliseconds since the Unix epoch; rows whose window and lock are both over are swept.
create table login_throttle (
    key               text    primary key,
    failures          integer not null check (failures > 0),
    first_failure_ms  integer not null,
    locked_until_ms   integer
);
