-- Role-play scenarios, versioned rubrics, role-plays and their ratings.
--
-- A rubric is a stable identity; its criteria live in versions, and a role-play points at the
-- version it was opened with, so editing a rubric never changes a past score. The cues and facts
-- of a scenario are the customer-player's and the raters' key: they never reach the trainee
-- before the result is final.

create table rubrics (
    id                  integer primary key,
    name                text    not null check (length(trim(name)) > 0),
    current_version_id  integer,                       -- set right after the first version is written
    created_by          integer references users(id),
    created_at          integer not null
);

create table rubric_versions (
    id          integer primary key,
    rubric_id   integer not null references rubrics(id),
    version_no  integer not null,
    criteria    text    not null,                      -- JSON: model::roleplay::Criterion list
    created_by  integer references users(id),
    created_at  integer not null,
    unique (rubric_id, version_no)
);

create table scenarios (
    id                 integer primary key,
    title              text    not null check (length(trim(title)) > 0),
    channel            text    not null check (channel in ('phone', 'counter', 'onsite', 'chat')),
    product            text    not null default '',
    situation          text    not null check (length(trim(situation)) > 0),
    persona            text    not null default '',
    mood               text    not null default '',
    objective          text    not null default '',
    cues               text    not null default '',    -- for the person playing the customer
    facts              text    not null default '',    -- what the trainee must get right
    customer_turns     text    not null default '',    -- written mode: one customer turn per line
    time_box_minutes   integer not null default 10 check (time_box_minutes between 1 and 240),
    rubric_id          integer not null references rubrics(id),
    pass_percent       integer not null default 70 check (pass_percent between 0 and 100),
    second_rater_rule  text    not null default 'average' check (second_rater_rule in ('average', 'lower')),
    archived_at        integer,
    created_by         integer references users(id),
    created_at         integer not null
);

create table scenario_courses (
    scenario_id  integer not null references scenarios(id) on delete cascade,
    course_id    integer not null references courses(id),
    primary key (scenario_id, course_id)
);

create table roleplays (
    id                 integer primary key,
    scenario_id        integer not null references scenarios(id),
    rubric_version_id  integer not null references rubric_versions(id),
    trainee_id         integer not null references users(id),
    mode               text    not null check (mode in ('live', 'written')),
    raters_required    integer not null default 1 check (raters_required in (1, 2)),
    status             text    not null check (status in ('awaiting_transcript', 'open', 'final')),
    replies            text    not null default '[]',  -- written mode: JSON list, one per customer turn
    replied_at         integer,
    percent            real,
    passed             integer check (passed in (0, 1)),
    critical_failed    text    not null default '',    -- JSON list of criterion names, once final
    finalized_at       integer,
    opened_by          integer not null references users(id),
    opened_at          integer not null
);
create index roleplays_trainee on roleplays (trainee_id, scenario_id);
create index roleplays_status on roleplays (status);

-- One rating per person and role-play: a rater's score, or the trainee's self-assessment.
create table roleplay_ratings (
    id             integer primary key,
    roleplay_id    integer not null references roleplays(id),
    rater_id       integer not null references users(id),
    is_self        integer not null default 0 check (is_self in (0, 1)),
    levels         text    not null,                   -- JSON: one level per criterion, rubric order
    comments       text    not null default '[]',      -- JSON: one comment per criterion
    overall        text    not null default '',
    submitted_at   integer not null,
    unique (roleplay_id, rater_id)
);
create index roleplay_ratings_rater on roleplay_ratings (rater_id);
