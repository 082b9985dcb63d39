-- Each site (a top-level team) keeps the IANA name of its time zone; the teams below it inherit
-- it. People see and type times on their site's clock: China is eight hours from UTC, and quiz
-- windows typed in UTC opened at 4 pm instead of 8 am.
alter table teams add column time_zone text;

-- A plan's sessions are typed as a day and wall-clock times; the plan says on whose clock, so
-- "has this session started" and the calendar file mean the same moment as the printed sheet.
-- Existing plans were read in UTC, so they stay on it until a trainer says otherwise.
alter table training_plans add column time_zone text not null default 'UTC';
