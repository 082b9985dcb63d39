-- Every summary gains a line for everyone (team -1, `summary::EVERYONE`), so that an admin's
-- dashboard and criteria read one line per figure instead of summing every site's. The next
-- start refills the summaries from the raw rows.
update summary_state set built = 0 where name = 'teams';
