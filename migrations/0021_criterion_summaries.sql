-- Role-play criteria on the manager's dashboard: the weakest criterion this period.

-- The level per criterion that decided a final role-play (rubric order): one rater's, the mean of
-- two, or the lower-scoring rater's. Written when it becomes final; older ones are filled from
-- their ratings by the summaries' rebuild.
alter table roleplays add column levels text;

-- Final role-plays per team subtree, day (finalized) and scenario, criterion by criterion, kept
-- in the transaction that makes a role-play final. Levels are summed in halves, since the mean
-- of two raters can fall between two levels.
create table criterion_tree (
    team_id     integer not null,
    day         integer not null,   -- days since 1970 (UTC)
    scenario_id integer not null,
    criterion   text    not null,   -- JSON names
    rated       integer not null,   -- rows that reach 0 are deleted
    halves      integer not null,   -- sum of the deciding levels x 2
    maxes       integer not null,   -- sum of the criterion's top level
    failing     integer not null,   -- below its pass level
    critical    integer not null,   -- a critical criterion below its pass level
    primary key (team_id, day, scenario_id, criterion)
) without rowid;

-- Built from the role-plays on the next start.
update summary_state set built = 0 where name = 'teams';
