-- Training plans (培训计划): purpose, audience, courses, methods, materials, venue, budget, and a
-- schedule of sessions with attendance. Money is stored in cents (fen) to stay exact.

create table training_plans (
    id                    integer primary key,
    title                 text    not null check (length(trim(title)) > 0),
    purpose               text    not null default '',
    -- Comma-separated: lecture, case_study, role_play, drill, online.
    methods               text    not null default '',
    materials             text    not null default '',
    venue                 text    not null default '',
    -- Audience beyond teams: positions (free text) and new hires hired in a date range.
    audience_positions    text    not null default '',
    hire_from             text,
    hire_to               text,
    budget_planned_cents  integer not null default 0 check (budget_planned_cents >= 0),
    budget_actual_cents   integer not null default 0 check (budget_actual_cents >= 0),
    created_by            integer not null references users(id),
    created_at            integer not null
);

create table plan_teams (
    plan_id  integer not null references training_plans(id) on delete cascade,
    team_id  integer not null references teams(id),
    primary key (plan_id, team_id)
);

create table plan_courses (
    plan_id    integer not null references training_plans(id) on delete cascade,
    course_id  integer not null references courses(id),
    primary key (plan_id, course_id)
);

-- Session dates and times are the venue's local time (no time zone), as on the printed schedule.
create table plan_sessions (
    id             integer primary key,
    plan_id        integer not null references training_plans(id) on delete cascade,
    topic          text    not null default '',
    day            text    not null,             -- YYYY-MM-DD
    start_time     text    not null,             -- HH:MM
    end_time       text    not null,             -- HH:MM
    venue          text    not null default '',
    online_link    text    not null default '',
    instructor_id  integer references users(id),
    check (end_time > start_time)
);
create index plan_sessions_plan on plan_sessions (plan_id, day, start_time);
create index plan_sessions_instructor on plan_sessions (instructor_id);

create table plan_members (
    plan_id      integer not null references training_plans(id) on delete cascade,
    user_id      integer not null references users(id),
    enrolled_at  integer not null,
    enrolled_by  integer references users(id),
    primary key (plan_id, user_id)
);
create index plan_members_user on plan_members (user_id);

create table attendance (
    session_id  integer not null references plan_sessions(id) on delete cascade,
    user_id     integer not null references users(id),
    status      text    not null check (status in ('present', 'late', 'absent', 'excused')),
    marked_by   integer references users(id),
    marked_at   integer not null,
    primary key (session_id, user_id)
);
