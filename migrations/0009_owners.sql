-- Who may change what decides certification (security review, issue 11).
--
-- Until now any trainer could edit any program, rubric or scenario, and rate any role-play;
-- lowering a program's requirements is a way to clear people for the floor. Programs, rubrics
-- and scenarios now have owners like courses (admins may always change them), a shared question
-- bank has named editors, and a role-play names its raters. Existing objects keep their creator
-- as the first owner or editor.

create table program_owners (
    program_id  integer not null references programs(id) on delete cascade,
    user_id     integer not null references users(id),
    primary key (program_id, user_id)
);
insert into program_owners (program_id, user_id) select id, created_by from programs where created_by is not null;

create table rubric_owners (
    rubric_id  integer not null references rubrics(id) on delete cascade,
    user_id    integer not null references users(id),
    primary key (rubric_id, user_id)
);
insert into rubric_owners (rubric_id, user_id) select id, created_by from rubrics where created_by is not null;

create table scenario_owners (
    scenario_id  integer not null references scenarios(id) on delete cascade,
    user_id      integer not null references users(id),
    primary key (scenario_id, user_id)
);
insert into scenario_owners (scenario_id, user_id) select id, created_by from scenarios where created_by is not null;

-- A shared bank (no course) is edited by the people named here; a course's bank by its authors.
create table bank_editors (
    bank_id  integer not null references question_banks(id) on delete cascade,
    user_id  integer not null references users(id),
    primary key (bank_id, user_id)
);
insert into bank_editors (bank_id, user_id) select id, created_by from question_banks where course_id is null;

-- The raters a role-play names: the first (the trainer who opened it, or whom they assigned) and,
-- when two ratings are required, the second. Nobody else rates it.
alter table roleplays add column rater_id integer references users(id);
alter table roleplays add column second_rater_id integer references users(id);
update roleplays set rater_id = opened_by;
-- A two-rater role-play already rated by someone other than its opener names that person second.
update roleplays set second_rater_id = (
    select g.rater_id from roleplay_ratings g
    where g.roleplay_id = roleplays.id and g.is_self = 0 and g.rater_id <> roleplays.opened_by
    order by g.submitted_at limit 1)
where raters_required = 2;
