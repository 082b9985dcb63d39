-- Courses with versioned content, and what each trainee has completed.
--
-- A course is the stable identity that owners, plans and enrollments point at. Its content lives in
-- versions: one may be a draft, one is the published version new enrollments take; an enrollment
-- keeps the version it started on, so a completed lesson always refers to what the trainee read.

-- Admin-editable lists, seeded below; names in both languages.
create table course_categories (
    id        integer primary key,
    name_zh   text    not null,
    name_en   text    not null,
    position  integer not null default 0
);
create table course_levels (
    id        integer primary key,
    name_zh   text    not null,
    name_en   text    not null,
    rank      integer not null unique
);

insert into course_categories (id, name_zh, name_en, position) values
    (1, '公司与产品知识', 'Company and product knowledge', 1),
    (2, '客户服务技能', 'Customer-service skills', 2),
    (3, '工作流程与规范', 'Workflow and norms', 3),
    (4, '团队协作与沟通', 'Teamwork and communication', 4),
    (5, '工具与系统', 'Tools and systems', 5);
insert into course_levels (id, name_zh, name_en, rank) values
    (1, '初级', 'Junior', 1),
    (2, '中级', 'Intermediate', 2),
    (3, '高级', 'Senior', 3);

create table courses (
    id           integer primary key,
    created_by   integer not null references users(id),
    created_at   integer not null,
    archived_at  integer                    -- archived courses take no new enrollments
);

create table course_owners (
    course_id  integer not null references courses(id) on delete cascade,
    user_id    integer not null references users(id),
    primary key (course_id, user_id)
);
create index course_owners_user on course_owners (user_id);

create table course_versions (
    id                integer primary key,
    course_id         integer not null references courses(id) on delete cascade,
    version_no        integer not null,
    status            text    not null check (status in ('draft', 'published', 'superseded')),
    title             text    not null check (length(trim(title)) > 0),
    summary           text    not null default '',
    category_id       integer not null references course_categories(id),
    level_id          integer not null references course_levels(id),
    training_type     text    not null check (training_type in ('pre_job', 'on_the_job', 'off_the_job', 'refresher')),
    duration_minutes  integer not null check (duration_minutes >= 0),
    created_at        integer not null,
    published_at      integer,
    unique (course_id, version_no)
);
-- At most one draft and one published version per course.
create unique index course_versions_one_draft on course_versions (course_id) where status = 'draft';
create unique index course_versions_one_published on course_versions (course_id) where status = 'published';

create table course_modules (
    id          integer primary key,
    version_id  integer not null references course_versions(id) on delete cascade,
    position    integer not null,
    title       text    not null check (length(trim(title)) > 0)
);
create index course_modules_version on course_modules (version_id, position);

create table lessons (
    id          integer primary key,
    module_id   integer not null references course_modules(id) on delete cascade,
    position    integer not null,
    title       text    not null check (length(trim(title)) > 0),
    body_md     text    not null default ''
);
create index lessons_module on lessons (module_id, position);

create table enrollments (
    id           integer primary key,
    user_id      integer not null references users(id),
    course_id    integer not null references courses(id),
    version_id   integer not null references course_versions(id),
    enrolled_at  integer not null,
    enrolled_by  integer references users(id),
    completed_at integer,                    -- set when the last lesson is completed
    unique (user_id, course_id)
);
create index enrollments_course on enrollments (course_id);

create table lesson_completions (
    enrollment_id  integer not null references enrollments(id) on delete cascade,
    lesson_id      integer not null references lessons(id),
    completed_at   integer not null,
    primary key (enrollment_id, lesson_id)
);
