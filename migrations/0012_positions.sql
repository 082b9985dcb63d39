-- Positions are a list the admin keeps, named in both languages. People and programs pick from
-- it, so a program applies to exactly the people who hold its position: as free text,
-- "售后专员" on a person and "售后服务专员" on a program silently missed each other, and that
-- person had no path to the floor and no line on the roster.
create table positions (
    id          integer primary key,
    name_zh     text    not null check (length(trim(name_zh)) > 0),
    name_en     text    not null check (length(trim(name_en)) > 0),
    archived_at integer,
    created_at  integer not null
);
create unique index positions_name_zh on positions (lower(name_zh));
create unique index positions_name_en on positions (lower(name_en));

-- Today's texts become positions, the same text in both languages until an admin splits them;
-- texts that differ only in case or surrounding spaces were already treated as one.
insert into positions (name_zh, name_en, created_at)
    select min(t), min(t), unixepoch() from (
        select trim(position) as t from programs
        union all select trim(position) from users where trim(position) <> ''
    ) group by lower(t);

alter table users add column position_id integer references positions(id);
update users set position_id = (select id from positions where lower(name_zh) = lower(trim(users.position)))
    where trim(position) <> '';
alter table users drop column position;
create index users_position on users (position_id);

-- Required for every program; SQLite cannot add a NOT NULL column, so the service enforces it.
alter table programs add column position_id integer references positions(id);
update programs set position_id = (select id from positions where lower(name_zh) = lower(trim(programs.position)));
alter table programs drop column position;
create index programs_position on programs (position_id);
