-- People type e1001 for E1001: an employee number is one number whatever its case. The unique
-- index is on the same expression every lookup uses (`lower(employee_no) = lower(?)`), so a
-- lookup stays an index search and two people cannot hold E1001 and e1001.
drop index users_employee_no;
create unique index users_employee_no on users (lower(employee_no));
