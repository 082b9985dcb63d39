-- Accounts, teams, roles, sessions and the security audit log.
-- Timestamps are Unix epoch seconds (INTEGER here, BIGINT on PostgreSQL) so the SQL stays portable.

-- Teams form a tree: a site contains departments, which contain teams.
create table teams (
    id          integer primary key,
    parent_id   integer references teams(id) on delete restrict,
    name        text    not null check (length(trim(name)) > 0),
    kind        text    not null default 'team' check (kind in ('site', 'department', 'team')),
    created_at  integer not null
);
-- Sibling names are unique so "Shanghai / After-sales" means one thing in imports.
create unique index teams_parent_name on teams (coalesce(parent_id, 0), name);

create table users (
    id             integer primary key,
    email          text    not null,
    employee_no    text    not null,
    display_name   text    not null check (length(trim(display_name)) > 0),
    position       text    not null default '',
    hire_date      text,                       -- ISO date, YYYY-MM-DD
    locale         text    not null default 'zh-CN' check (locale in ('zh-CN', 'en')),
    team_id        integer references teams(id) on delete restrict,
    active         integer not null default 1 check (active in (0, 1)),
    password_hash  text    not null,
    -- Bumped whenever the password changes or an admin resets it; sessions are tied to it.
    password_changed_at integer not null,
    created_at     integer not null
);
-- Emails compare case-insensitively; the stored value is already lower-cased by the service.
create unique index users_email on users (email);
create unique index users_employee_no on users (employee_no);
create index users_team on users (team_id);

create table user_roles (
    user_id  integer not null references users(id) on delete cascade,
    role     text    not null check (role in ('admin', 'manager', 'trainer', 'trainee')),
    primary key (user_id, role)
);

-- Teams a manager oversees (each includes every team below it).
create table team_managers (
    team_id  integer not null references teams(id) on delete cascade,
    user_id  integer not null references users(id) on delete cascade,
    primary key (team_id, user_id)
);
create index team_managers_user on team_managers (user_id);

-- Only a SHA-256 of the session token is stored: a leaked table cannot be replayed as cookies.
create table sessions (
    id            integer primary key,
    token_hash    blob    not null unique,
    user_id       integer not null references users(id) on delete cascade,
    created_at    integer not null,
    last_seen_at  integer not null,
    expires_at    integer not null,            -- absolute timeout
    ip            text    not null default '',
    user_agent    text    not null default ''
);
create index sessions_user on sessions (user_id);

-- Append-only record of security-relevant events, written in the same transaction as the change.
create table audit_log (
    id            integer primary key,
    at            integer not null,
    actor_id      integer references users(id) on delete restrict,
    action        text    not null,
    subject_type  text    not null default '',
    subject_id    integer,
    detail        text    not null default '',
    ip            text    not null default ''
);
create index audit_log_at on audit_log (at);

create trigger audit_log_no_update before update on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;
create trigger audit_log_no_delete before delete on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;
