-- API tokens expire: a token leaked from an integration's config stops working on its own, and
-- the admin's home page lists those about to. Tokens made before this keep working for a year
-- from the upgrade, so no integration breaks the day it lands.
alter table api_tokens add column expires_at integer;
update api_tokens set expires_at = cast(strftime('%s', 'now') as integer) + 365 * 86400 where expires_at is null;
