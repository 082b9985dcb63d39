-- Evaluation forms and reaction surveys (level 1 of the follow-up cycle): a trainee who
-- completes a course is asked what they thought of it, and one who attends a training plan's
-- session what they thought of the session and its instructor.

-- A form is authored once and versioned: saving a form that has been answered makes a new
-- version, so every response stays tied to the questions it answered.
create table eval_forms (
    id                  integer primary key,
    title               text    not null,                  -- either language may be empty, not both
    title_en            text    not null default '',
    current_version_id  integer references eval_form_versions(id),
    created_by          integer references users(id),
    created_at          integer not null,
    check (length(trim(title)) > 0 or length(trim(title_en)) > 0)
);

create table eval_form_versions (
    id          integer primary key,
    form_id     integer not null references eval_forms(id),
    version_no  integer not null,
    items       text    not null check (json_valid(items)),   -- [model::survey::FormItem]
    created_by  integer references users(id),
    created_at  integer not null,
    unique (form_id, version_no)
);

-- Forms change what trainees are asked: admins and the form's owners change them.
create table form_owners (
    form_id  integer not null references eval_forms(id),
    user_id  integer not null references users(id),
    primary key (form_id, user_id)
) without rowid;

-- One reaction survey per course (sent when a trainee completes it) and per training plan (sent
-- after each session a trainee attended, present or late).
create table surveys (
    id          integer primary key,
    course_id   integer unique references courses(id),
    plan_id     integer unique references training_plans(id),
    form_id     integer not null references eval_forms(id),
    anonymous   integer not null check (anonymous in (0, 1)),
    due_days    integer not null check (due_days between 1 and 90),
    active      integer not null default 1 check (active in (0, 1)),
    created_by  integer references users(id),
    created_at  integer not null,
    check ((course_id is null) <> (plan_id is null))
);

-- What a survey is about, as pages and notices name it: the course (its latest version's title)
-- or the training plan.
create view survey_subjects as
select s.id as survey_id, coalesce(ct.title, tp.title) as title, coalesce(ct.title_en, tp.title_en) as title_en
  from surveys s
  left join course_versions ct on ct.id = (select max(w.id) from course_versions w where w.course_id = s.course_id)
  left join training_plans tp on tp.id = s.plan_id;

-- Who was asked. For an anonymous survey this row says only *that* the person answered (so
-- reminders stop), never when or what: the response below does not point back to it.
create table survey_requests (
    id           integer primary key,
    survey_id    integer not null references surveys(id),
    user_id      integer not null references users(id),
    session_id   integer references plan_sessions(id) on delete cascade,   -- a plan's survey: the session
    created_at   integer not null,
    due_at       integer not null,
    reminded_at  integer,
    answered     integer not null default 0 check (answered in (0, 1))
);
-- Once per person and course, or per person and session.
create unique index survey_requests_once on survey_requests (survey_id, user_id, coalesce(session_id, 0));
create index survey_requests_user on survey_requests (user_id, answered);

-- What was answered. `user_id` is set for named surveys only; an anonymous response keeps the
-- day it came in, not the moment, so it cannot be matched to a sign-in or a notice.
create table survey_responses (
    id               integer primary key,
    survey_id        integer not null references surveys(id),
    form_version_id  integer not null references eval_form_versions(id),
    user_id          integer references users(id),
    -- A plan's survey: the session and who taught it (not the person who answered).
    session_id       integer references plan_sessions(id) on delete set null,
    instructor_id    integer references users(id),
    day              text    not null,               -- YYYY-MM-DD (UTC)
    answers          text    not null check (json_valid(answers))
);
create index survey_responses_survey on survey_responses (survey_id);

-- Results of any survey appear only once this many responses exist (an admin setting).
alter table organisation add column survey_min_responses integer not null default 5
    check (survey_min_responses between 1 and 100);
