-- Authored names carry a value per language. The existing column keeps the Chinese name and a
-- new `_en` column holds the English one; the screen shows the reader's language and falls back
-- to the other (model::Names). Either may be empty, not both. Rubric criteria are JSON and gain
-- `name_en` there (serde default), so they need nothing here.
alter table course_versions add column title_en text not null default '';
alter table course_modules  add column title_en text not null default '';
alter table lessons         add column title_en text not null default '';
alter table quizzes         add column title_en text not null default '';
alter table scenarios       add column title_en text not null default '';
alter table training_plans  add column title_en text not null default '';
alter table programs        add column name_en  text not null default '';
alter table teams           add column name_en  text not null default '';

-- "Not empty" becomes "not both empty". SQLite cannot alter a CHECK; this is the same documented
-- in-place loosening as 0010 (every stored row still passes), followed by a schema cookie bump.
pragma writable_schema = on;
update sqlite_schema
set sql = replace(sql, 'check (length(trim(title)) > 0)',
                  'check (length(trim(title)) > 0 or length(trim(title_en)) > 0)')
where type = 'table' and name in ('course_versions', 'course_modules', 'lessons', 'quizzes', 'scenarios', 'training_plans');
update sqlite_schema
set sql = replace(sql, 'check (length(trim(name)) > 0)',
                  'check (length(trim(name)) > 0 or length(trim(name_en)) > 0)')
where type = 'table' and name in ('programs', 'teams');
pragma writable_schema = reset;
create table schema_cookie_bump (x);
drop table schema_cookie_bump;

-- A name with no Chinese character in it was written in English: it moves to its own column.
-- Mixed names ("售后服务 After-sales") stay where they are for their authors to split.
update course_versions set title_en = title, title = '' where title not glob '*[一-鿿]*';
update course_modules  set title_en = title, title = '' where title not glob '*[一-鿿]*';
update lessons         set title_en = title, title = '' where title not glob '*[一-鿿]*';
update quizzes         set title_en = title, title = '' where title not glob '*[一-鿿]*';
update scenarios       set title_en = title, title = '' where title not glob '*[一-鿿]*';
update training_plans  set title_en = title, title = '' where title not glob '*[一-鿿]*';
update programs        set name_en  = name,  name  = '' where name  not glob '*[一-鿿]*';
update teams           set name_en  = name,  name  = '' where name  not glob '*[一-鿿]*';

-- Sibling teams stay unique in each language ("Shanghai / After-sales" means one thing in
-- imports, typed in either); an empty name is no name.
drop index teams_parent_name;
create unique index teams_parent_name on teams (coalesce(parent_id, 0), name) where name <> '';
create unique index teams_parent_name_en on teams (coalesce(parent_id, 0), lower(name_en)) where name_en <> '';
