-- Description items (Moodle's ::DESC::): text shown in a quiz, never graded, worth no points.
--
-- Only two CHECKs of question_versions get looser: the kind may be 'description' and points may be
-- 0. SQLite cannot alter a CHECK, and rebuilding the table is not possible here (migrations run in
-- a transaction with foreign keys on, so a rename would rewrite attempt_items' reference). This is
-- the in-place edit SQLite documents for loosening constraints (lang_altertable.html, "making other
-- kinds of table schema changes"): nothing on disk changes, every stored row still passes. The
-- throwaway table afterwards bumps the schema cookie so every connection rereads the schema.
pragma writable_schema = on;
update sqlite_schema set sql = 'create table question_versions (
    id           integer primary key,
    question_id  integer not null references questions(id),
    version_no   integer not null,
    kind         text    not null check (kind in
                   (''single'', ''multiple'', ''true_false'', ''fill_blank'', ''numeric'', ''matching'', ''ordering'', ''essay'',
                    ''description'')),
    title        text    not null default '''',
    stem         text    not null check (length(trim(stem)) > 0),
    difficulty   integer not null default 2 check (difficulty between 1 and 5),
    points       integer not null default 1 check (points between 0 and 100), -- 0 for a description only
    feedback     text    not null default '''',         -- general feedback, shown under the review policy
    body         text    not null,                    -- JSON: options and the key (model::quiz::QuestionBody)
    created_by   integer references users(id),
    created_at   integer not null,
    unique (question_id, version_no)
)'
where type = 'table' and name = 'question_versions';
pragma writable_schema = reset;
create table schema_cookie_bump (x);
drop table schema_cookie_bump;
