-- Role-play criteria by trainer: each final role-play counted under each trainer who rated it
-- (not the trainee's self-assessment), per team subtree of the trainee, day and scenario, so a
-- manager's report reads only their teams' sums. Kept with `criterion_tree`.
create table rater_tree (
    team_id     integer not null,
    rater_id    integer not null,
    day         integer not null,   -- days since 1970 (UTC) the role-play became final
    scenario_id integer not null,
    roleplays   integer not null,   -- rows that reach 0 are deleted
    rated       integer not null,   -- criterion ratings: role-plays x their criteria
    halves      integer not null,   -- sum of the deciding levels x 2
    maxes       integer not null,   -- sum of the criteria's top levels
    failing     integer not null,   -- criteria below their pass level
    critical    integer not null,   -- role-plays failed on a critical criterion
    primary key (team_id, rater_id, day, scenario_id)
) without rowid;

-- Built from the role-plays on the next start.
update summary_state set built = 0 where name = 'teams';
