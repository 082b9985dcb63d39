-- Browsers a person has signed in from (OWASP "device cookies"). The cookie holds a random
-- token, this table only its SHA-256. A sign-in from a browser trusted for that account is not
-- held back by failures from elsewhere, so an attacker guessing at an account, or at everyone
-- behind one office address, cannot lock out the people who really use it.
create table trusted_devices (
    token_hash    blob    primary key,
    user_id       integer not null references users(id) on delete cascade,
    created_at    integer not null,
    last_used_at  integer not null
);
create index trusted_devices_user on trusted_devices (user_id, last_used_at);
