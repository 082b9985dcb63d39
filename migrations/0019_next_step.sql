-- What a person in training is on: the first thing their program still misses (as its names,
-- JSON {"zh","en"}), written with the status each time the certification is re-evaluated, so the
-- dashboard's pipeline reads it instead of evaluating every requirement of every person in
-- training on each request. Rows evaluated before this upgrade stay null until their next
-- re-evaluation; the dashboard works those out as before.
alter table certifications add column next_step text;
