-- Each person's outcome of each role-play scenario, as `quiz_outcomes` is for quizzes: their final
-- role-plays in the order they became final. Kept by the transaction that makes one final, read by
-- the pass-rate report (role-plays by scenario), recomputed by `floorready check`.
create table roleplay_outcomes (
    scenario_id       integer not null references scenarios(id),
    user_id           integer not null references users(id),
    attempts          integer not null check (attempts > 0),  -- final role-plays
    first_percent     real    not null,
    first_passed      integer not null check (first_passed in (0, 1)),
    first_at          integer not null,   -- when the first became final
    best_percent      real    not null,
    last_percent      real    not null,
    passed_at         integer,            -- when the first passing one became final
    attempts_to_pass  integer,            -- role-plays up to and including that one
    primary key (scenario_id, user_id)
);
create index roleplay_outcomes_user on roleplay_outcomes (user_id);
create index roleplay_outcomes_first_at on roleplay_outcomes (first_at);

insert into roleplay_outcomes (scenario_id, user_id, attempts, first_percent, first_passed, first_at, best_percent,
                               last_percent, passed_at, attempts_to_pass)
with f as (
    select scenario_id, trainee_id, coalesce(percent, 0) as percent, coalesce(passed, 0) as passed, finalized_at,
           row_number() over (partition by scenario_id, trainee_id order by finalized_at, id) as n,
           count(*) over (partition by scenario_id, trainee_id) as total
    from roleplays where status = 'final' and finalized_at is not null
)
select scenario_id, trainee_id, max(total),
       max(case when n = 1 then percent end), max(case when n = 1 then passed end), min(finalized_at),
       max(percent), max(case when n = total then percent end),
       min(case when passed = 1 then finalized_at end), min(case when passed = 1 then n end)
from f group by scenario_id, trainee_id;
