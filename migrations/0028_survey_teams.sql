-- Managers read their teams' survey results: each response keeps the team the person was in when
-- they answered. For an anonymous survey that is all it says about them, and results (a
-- manager's included) still show only once K responses are in the view.
alter table survey_responses add column team_id integer references teams(id);
update survey_responses set team_id = (select u.team_id from users u where u.id = survey_responses.user_id)
 where user_id is not null;
