-- Quiz analytics: which authored slot each item filled, and each person's outcome per quiz.

-- An item's place in the quiz as authored (fixed questions first, then each draw), before any
-- shuffling: statistics compare slot 3 of one attempt with slot 3 of another, whatever order
-- each trainee saw. Older items learn it where it can be known: the quiz did not shuffle, or the
-- item is one of the quiz's fixed questions. The rest stay null and are left out of per-slot
-- figures.
alter table attempt_items add column slot_no integer;
update attempt_items set slot_no = position
 where attempt_id in (select a.id from attempts a join quizzes z on z.id = a.quiz_id where z.shuffle_questions = 0);
update attempt_items set slot_no = (
    select count(*) from quiz_slots s2
     where s2.quiz_id = s.quiz_id and s2.question_id is not null and s2.position < s.position)
  from attempts a, quiz_slots s, question_versions v
 where attempt_items.slot_no is null and a.id = attempt_items.attempt_id
   and v.id = attempt_items.question_version_id and s.quiz_id = a.quiz_id and s.question_id = v.question_id;

-- Each person's graded attempts of a quiz, summed up in the transaction that grades one, so that
-- pass rates (first attempt and eventually), scores and attempts-to-pass never scan attempts.
-- `floorready check` recomputes it from the attempts and reports any difference.
create table quiz_outcomes (
    quiz_id           integer not null references quizzes(id),
    user_id           integer not null references users(id),
    attempts          integer not null check (attempts > 0),  -- graded attempts
    first_percent     real    not null,
    first_passed      integer not null check (first_passed in (0, 1)),
    first_at          integer not null,   -- the first graded attempt's submission
    best_percent      real    not null,
    last_percent      real    not null,
    passed_at         integer,            -- the first passing attempt's submission
    attempts_to_pass  integer,            -- graded attempts up to and including that one
    primary key (quiz_id, user_id)
) without rowid;
create index quiz_outcomes_user on quiz_outcomes (user_id);
create index quiz_outcomes_first_at on quiz_outcomes (first_at);

insert into quiz_outcomes (quiz_id, user_id, attempts, first_percent, first_passed, first_at, best_percent,
                           last_percent, passed_at, attempts_to_pass)
select g.quiz_id, g.user_id, g.n,
       (select percent from attempts f where f.id = g.first_id),
       (select passed from attempts f where f.id = g.first_id),
       (select coalesce(submitted_at, graded_at) from attempts f where f.id = g.first_id),
       g.best,
       (select percent from attempts l where l.id = g.last_id),
       (select coalesce(p.submitted_at, p.graded_at) from attempts p where p.id = g.pass_id),
       case when g.pass_id is not null then
         (select count(*) from attempts c where c.quiz_id = g.quiz_id and c.user_id = g.user_id
             and c.status = 'graded' and c.attempt_no <= (select attempt_no from attempts p where p.id = g.pass_id))
       end
  from (select quiz_id, user_id, count(*) as n, max(percent) as best,
               (select id from attempts x where x.quiz_id = a.quiz_id and x.user_id = a.user_id and x.status = 'graded'
                 order by attempt_no limit 1) as first_id,
               (select id from attempts x where x.quiz_id = a.quiz_id and x.user_id = a.user_id and x.status = 'graded'
                 order by attempt_no desc limit 1) as last_id,
               (select id from attempts x where x.quiz_id = a.quiz_id and x.user_id = a.user_id and x.status = 'graded'
                  and x.passed = 1 order by attempt_no limit 1) as pass_id
          from attempts a where status = 'graded' group by quiz_id, user_id) g;
