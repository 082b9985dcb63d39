-- Question banks, versioned questions, quizzes and attempts.
--
-- A question is a stable identity; its content lives in versions. Editing makes a new version and
-- attempts point at the version they were shown, so a past grade never changes under a later edit.
-- The answer key lives only in `question_versions.body` and never leaves the server before review.

create table question_banks (
    id          integer primary key,
    course_id   integer references courses(id),       -- null: shared by all trainers
    name        text    not null check (length(trim(name)) > 0),
    created_by  integer not null references users(id),
    created_at  integer not null
);
create index question_banks_course on question_banks (course_id);

create table questions (
    id                  integer primary key,
    bank_id             integer not null references question_banks(id),
    category            text    not null default '',  -- a path, as in GIFT's $CATEGORY
    tags                text    not null default '',  -- normalized: lower case, comma separated, sorted
    current_version_id  integer,                      -- set right after the first version is written
    archived_at         integer,
    created_at          integer not null
);
create index questions_bank on questions (bank_id, category);

create table question_versions (
    id           integer primary key,
    question_id  integer not null references questions(id),
    version_no   integer not null,
    kind         text    not null check (kind in
                   ('single', 'multiple', 'true_false', 'fill_blank', 'numeric', 'matching', 'ordering', 'essay')),
    title        text    not null default '',
    stem         text    not null check (length(trim(stem)) > 0),
    difficulty   integer not null default 2 check (difficulty between 1 and 5),
    points       integer not null default 1 check (points between 1 and 100),
    feedback     text    not null default '',         -- general feedback, shown under the review policy
    body         text    not null,                    -- JSON: options and the key (model::quiz::QuestionBody)
    created_by   integer references users(id),
    created_at   integer not null,
    unique (question_id, version_no)
);

create table quizzes (
    id                integer primary key,
    course_id         integer not null references courses(id),
    title             text    not null check (length(trim(title)) > 0),
    kind              text    not null check (kind in ('pre_test', 'post_test', 'practice', 'refresher')),
    pass_percent      integer not null default 80 check (pass_percent between 0 and 100),
    time_limit_secs   integer check (time_limit_secs is null or time_limit_secs > 0),
    opens_at          integer,
    closes_at         integer,
    attempts_allowed  integer check (attempts_allowed is null or attempts_allowed > 0),
    cooloff_secs      integer not null default 0 check (cooloff_secs >= 0),
    review_policy     text    not null default 'score_only'
                        check (review_policy in ('score_only', 'score_and_wrong', 'full_after_close')),
    shuffle_questions integer not null default 1 check (shuffle_questions in (0, 1)),
    shuffle_options   integer not null default 1 check (shuffle_options in (0, 1)),
    pre_test_id       integer references quizzes(id), -- a post-test's paired pre-test, for the gain
    published_at      integer,
    created_by        integer not null references users(id),
    created_at        integer not null
);
create index quizzes_course on quizzes (course_id);

-- A slot is either one fixed question or a random draw of `draw_count` from a bank, optionally
-- narrowed to a category (and its subcategories) and a tag.
create table quiz_slots (
    id           integer primary key,
    quiz_id      integer not null references quizzes(id) on delete cascade,
    position     integer not null,
    question_id  integer references questions(id),
    bank_id      integer references question_banks(id),
    category     text    not null default '',
    tag          text    not null default '',
    draw_count   integer not null default 1 check (draw_count between 1 and 200),
    check ((question_id is null) <> (bank_id is null))
);
create index quiz_slots_quiz on quiz_slots (quiz_id, position);

create table attempts (
    id            integer primary key,
    quiz_id       integer not null references quizzes(id),
    user_id       integer not null references users(id),
    attempt_no    integer not null,
    status        text    not null check (status in ('in_progress', 'awaiting_grading', 'graded')),
    started_at    integer not null,
    deadline_at   integer,                 -- started_at + time limit (capped by the quiz closing)
    submitted_at  integer,
    graded_at     integer,
    closed_by     text check (closed_by in ('trainee', 'deadline')),
    save_seq      integer not null default 0, -- last accepted autosave sequence number
    score         real,                    -- points, once every part is graded
    max_score     real    not null,
    percent       real,
    passed        integer check (passed in (0, 1)),
    unique (quiz_id, user_id, attempt_no)
);
create index attempts_user on attempts (user_id, quiz_id);
-- At most one open attempt per person and quiz: two tabs cannot start two attempts.
create unique index attempts_one_open on attempts (quiz_id, user_id) where status = 'in_progress';

create table attempt_items (
    attempt_id           integer not null references attempts(id) on delete cascade,
    position             integer not null,   -- 0-based order shown to the trainee
    question_version_id  integer not null references question_versions(id),
    points               integer not null,
    option_order         text    not null default '[]', -- JSON: authored indices in shown order
    extra_order          text    not null default '[]', -- JSON: matching's right-hand items in shown order
    answer               text,               -- JSON (model::quiz::Answer) once answered
    fraction             real,               -- 0..1, automatic or from the trainer
    grader_comment       text    not null default '',
    graded_by            integer references users(id),
    graded_at            integer,
    primary key (attempt_id, position)
);
