-- Cleared for the floor, per team and day: the dashboard's 12-week trend. The daily sweep writes
-- today's row per team (people who need a program, people cleared in one); the first sweep after
-- this upgrade rebuilds the 11 weeks before from the certificates held then, so the trend does not
-- start empty.
create table floor_daily (
    day      text    not null,   -- YYYY-MM-DD (UTC)
    team_id  integer not null references teams(id) on delete cascade,
    needed   integer not null,
    cleared  integer not null,
    rebuilt  integer not null default 0 check (rebuilt in (0, 1)), -- 1: worked out from certificates
    primary key (day, team_id)
) without rowid;
