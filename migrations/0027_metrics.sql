-- On-the-job metrics: what the floor measures (CSAT, complaints per 100 tickets, first-contact
-- resolution, QA score), per person per day or month, from an upload, a manager typing them in, or
-- another system through the API; so a manager can see whether people do better once certified.

-- Tokens may now also write metrics (the same in-place loosening as 0010; every row still passes).
pragma writable_schema = on;
update sqlite_schema
set sql = replace(sql, 'check (scope in (''clearance:read''))', 'check (scope in (''clearance:read'', ''metrics:write''))')
where type = 'table' and name = 'api_tokens';
pragma writable_schema = reset;
create table schema_cookie_bump (x);
drop table schema_cookie_bump;

create table metrics (
    id                integer primary key,
    code              text    not null unique check (length(code) between 1 and 40 and code not glob '*[^a-z0-9_]*'),
    name              text    not null,                -- either language may be empty, not both
    name_en           text    not null default '',
    unit              text    not null default '',     -- "%", "per 100 tickets", "points"
    higher_is_better  integer not null check (higher_is_better in (0, 1)),
    period            text    not null check (period in ('day', 'month')),
    archived_at       integer,
    created_by        integer references users(id),
    created_at        integer not null,
    check (length(trim(name)) > 0 or length(trim(name_en)) > 0)
);

-- One value per metric, person and period: a second upload, entry or API call for the same
-- period replaces the first.
create table metric_values (
    metric_id    integer not null references metrics(id),
    user_id      integer not null references users(id),
    period       text    not null,      -- YYYY-MM-DD for a daily metric, YYYY-MM for a monthly one
    value        real    not null,
    source       text    not null check (source in ('upload', 'typed', 'api')),
    recorded_by  integer references users(id),       -- null: an API token
    token_id     integer references api_tokens(id),
    recorded_at  integer not null,
    primary key (metric_id, user_id, period)
) without rowid;
create index metric_values_user on metric_values (user_id, metric_id, period);
