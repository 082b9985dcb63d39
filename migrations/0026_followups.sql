-- On-the-job follow-ups (level 3 of the evaluation cycle, the seeds' 跟踪反馈): after a person is
-- certified, someone watches them on the floor at chosen offsets (30/60/90 days by default) and
-- scores an observation form, usually the program's role-play rubric. A failed follow-up may send
-- the person back to "re-assessment required" until they pass the program's role-play again.

-- The new status and requirement kind: the same in-place loosening of a check as 0010 and 0015
-- (every stored row still passes), then a schema cookie bump.
pragma writable_schema = on;
update sqlite_schema
set sql = replace(sql, '''expired'', ''suspended'', ''revoked'')', '''expired'', ''suspended'', ''revoked'', ''reassess'')')
where type = 'table' and name = 'certifications';
update sqlite_schema
set sql = replace(sql, '''roleplay'', ''attendance'')', '''roleplay'', ''attendance'', ''followup'')')
where type = 'table' and name = 'program_requirements';
pragma writable_schema = reset;
create table schema_cookie_bump (x);
drop table schema_cookie_bump;

-- "Follow-up passed": the follow-up at this offset (the observer's, not a self-assessment) of the
-- current certificate, with at least min_percent.
alter table program_requirements add column followup_days integer
    check (followup_days is null or followup_days between 1 and 730);

-- What a failed follow-up does ('record': nothing more; 'reassess': not cleared until the
-- program's role-play is passed again), how long after its day a follow-up is overdue, and how
-- long after that the next manager up hears of it.
alter table programs add column followup_on_fail text not null default 'record'
    check (followup_on_fail in ('record', 'reassess'));
alter table programs add column followup_grace_days integer not null default 7
    check (followup_grace_days between 0 and 90);
alter table programs add column followup_escalate_days integer not null default 7
    check (followup_escalate_days between 1 and 90);

-- A program's evaluation plan: one step per offset and observer. The body is a role-play rubric
-- (scored by the rubric code), an evaluation form, or a rubric with the form's items after it.
create table followup_steps (
    id            integer primary key,
    program_id    integer not null references programs(id),
    offset_days   integer not null check (offset_days between 1 and 730),
    observer      text    not null check (observer in ('supervisor', 'trainer', 'self')),
    rubric_id     integer references rubrics(id),
    form_id       integer references eval_forms(id),
    pass_percent  integer not null default 70 check (pass_percent between 0 and 100),
    created_at    integer not null,
    removed_at    integer,                               -- kept for the follow-ups made from it
    check (rubric_id is not null or form_id is not null)
);
create unique index followup_steps_once on followup_steps (program_id, offset_days, observer) where removed_at is null;

-- One follow-up per certificate and step: a renewal (a new certificate) starts a new cycle and the
-- old one stays in the person's history.
create table followups (
    id                 integer primary key,
    step_id            integer not null references followup_steps(id),
    user_id            integer not null references users(id),
    program_id         integer not null references programs(id),
    certificate_id     integer not null references certificates(id),
    offset_days        integer not null,
    observer           text    not null check (observer in ('supervisor', 'trainer', 'self')),
    due_at             integer not null,
    overdue_at         integer not null,
    state              text    not null check (state in ('scheduled', 'due', 'overdue', 'completed', 'waived')),
    assignee_id        integer references users(id),     -- who is asked; null: any trainer
    escalated_at       integer,
    escalated_to       integer references users(id),
    rubric_version_id  integer references rubric_versions(id),
    form_version_id    integer references eval_form_versions(id),
    pass_percent       integer not null,
    draft              text    check (draft is null or json_valid(draft)),  -- the observer's unsent form
    saved_at           integer,
    levels             text    check (levels is null or json_valid(levels)),
    comments           text    check (comments is null or json_valid(comments)),
    answers            text    check (answers is null or json_valid(answers)),
    overall            text    not null default '',
    percent            real,
    passed             integer check (passed in (0, 1)),
    critical_failed    text    not null default '[]',
    observer_id        integer references users(id),
    completed_at       integer,
    waived_by          integer references users(id),     -- null with waived_at: closed by the sweep
    waived_at          integer,
    waive_reason       text    not null default '',
    created_at         integer not null,
    unique (certificate_id, step_id)
);
create index followups_open on followups (due_at) where state in ('scheduled', 'due', 'overdue');
create index followups_user on followups (user_id, program_id);
create index followups_assignee on followups (assignee_id, state);

-- Sent back by a failed follow-up: since when, and which follow-up.
alter table certifications add column reassess_since integer;
alter table certifications add column reassess_followup_id integer references followups(id);
