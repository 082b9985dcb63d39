-- Certification programs, the cleared-for-floor status, certificates, notifications, API tokens,
-- the audit log's hash chain, and the remediation lesson before a quiz retake.

-- A program certifies a position at a level; a higher level may require the lower one.
create table programs (
    id                   integer primary key,
    name                 text    not null check (length(trim(name)) > 0),
    position             text    not null check (length(trim(position)) > 0), -- users with this position take it
    level_id             integer not null references course_levels(id),
    requires_program_id  integer references programs(id),
    validity_days        integer not null default 365 check (validity_days between 1 and 3650),
    window_days          integer not null default 60 check (window_days between 0 and 365),
    -- Renewal cycles per audience (the seed's practice: veterans quarterly, managers half-yearly);
    -- empty means the validity above.
    veteran_cycle_days   integer check (veteran_cycle_days is null or veteran_cycle_days between 1 and 3650),
    manager_cycle_days   integer check (manager_cycle_days is null or manager_cycle_days between 1 and 3650),
    archived_at          integer,
    created_by           integer references users(id),
    created_at           integer not null
);

-- What a program asks for: to certify ('initial') and to renew inside the window ('recert';
-- when a program has none, renewal asks for the initial requirements again).
create table program_requirements (
    id           integer primary key,
    program_id   integer not null references programs(id) on delete cascade,
    phase        text    not null check (phase in ('initial', 'recert')),
    kind         text    not null check (kind in ('course', 'quiz', 'roleplay', 'attendance')),
    course_id    integer references courses(id),
    quiz_id      integer references quizzes(id),
    scenario_id  integer references scenarios(id),
    plan_id      integer references training_plans(id),
    min_percent  integer check (min_percent is null or min_percent between 0 and 100),
    check ((kind = 'course') = (course_id is not null)),
    check ((kind = 'quiz') = (quiz_id is not null)),
    check ((kind = 'roleplay') = (scenario_id is not null)),
    check ((kind = 'attendance') = (plan_id is not null))
);
create index program_requirements_program on program_requirements (program_id, phase);

create table certificates (
    id                integer primary key,
    number            text    not null unique,     -- printed and in the QR code; not guessable
    user_id           integer not null references users(id),
    program_id        integer not null references programs(id),
    issued_at         integer not null,
    expires_at        integer not null,
    exempted          integer not null default 0 check (exempted in (0, 1)),
    reason            text    not null default '', -- why an exemption was granted
    issued_by         integer references users(id), -- null: issued automatically
    revoked_at        integer
);
create index certificates_holder on certificates (user_id, program_id);

-- The current status per person and program, kept by the status engine. `hold` is a manual
-- suspension or revocation that overrides what the requirements say.
create table certifications (
    id              integer primary key,
    user_id         integer not null references users(id),
    program_id      integer not null references programs(id),
    status          text    not null check (status in
                      ('not_started', 'in_training', 'certified', 'expiring', 'expired', 'suspended', 'revoked')),
    hold            text    check (hold in ('suspended', 'revoked')),
    hold_reason     text    not null default '',
    certificate_id  integer references certificates(id),
    updated_at      integer not null,
    unique (user_id, program_id)
);
create index certifications_status on certifications (status);

create table notifications (
    id          integer primary key,
    user_id     integer not null references users(id),
    kind        text    not null,
    subject_id  integer not null,                  -- the certificate it is about
    params      text    not null default '{}',     -- JSON for the message
    link        text    not null default '',
    created_at  integer not null,
    read_at     integer,
    emailed_at  integer,
    unique (user_id, kind, subject_id)             -- once per person, kind and certificate
);
create index notifications_user on notifications (user_id, read_at);

create table api_tokens (
    id            integer primary key,
    name          text    not null check (length(trim(name)) > 0),
    token_hash    text    not null unique,         -- SHA-256 of the token; the token is shown once
    scope         text    not null check (scope in ('clearance:read')),
    team_id       integer references teams(id),    -- null: every team
    created_by    integer references users(id),
    created_at    integer not null,
    revoked_at    integer,
    last_used_at  integer
);

-- Tamper evidence: each entry's hash covers its fields and the previous entry's hash.
alter table audit_log add column hash text;

-- After a failed attempt, this lesson must be (re)read before the retake.
alter table quizzes add column remediation_lesson_id integer references lessons(id);
create table remediations (
    attempt_id  integer primary key references attempts(id),
    lesson_id   integer not null references lessons(id),
    done_at     integer
);
