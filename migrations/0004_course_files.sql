-- Images and attachments uploaded to a course. The bytes live on disk under the data directory,
-- named by their SHA-256, so the same file uploaded twice is stored once and a row can never point
-- at content other than what was checked on upload.
create table course_files (
    id            integer primary key,
    course_id     integer not null references courses(id) on delete cascade,
    name          text    not null check (length(name) between 1 and 120),
    content_type  text    not null,
    size_bytes    integer not null check (size_bytes > 0),
    sha256        text    not null check (length(sha256) = 64),
    uploaded_by   integer not null references users(id),
    created_at    integer not null
);
create index course_files_course on course_files (course_id);
