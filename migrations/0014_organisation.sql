-- The organisation using Floorready: its name in both languages, and the logo and seal printed on
-- certificates and in the header. One row; images are small and live with the data they vouch
-- for (a backup of the database is a backup of the certificates' look).
create table organisation (
    id          integer primary key check (id = 1),
    name_zh     text    not null default '',
    name_en     text    not null default '',
    logo        blob,
    logo_type   text    check (logo_type in ('image/png', 'image/jpeg')),
    seal        blob,
    seal_type   text    check (seal_type in ('image/png', 'image/jpeg')),
    updated_at  integer not null
);
insert into organisation (id, updated_at) values (1, unixepoch());
