-- Automatic failover (issue 11 part 2). auto_failover: the instance's choice (TRUE/FALSE), NULL for the default (on
-- while the instance has replicas). failover: the last failover this instance took part in, as JSON text
-- ({"old_source", "new_source", "detected", "fenced", "promoted", "rejoined"}; times in ISO-8601), shown in its view.
ALTER TABLE instances ADD COLUMN auto_failover BOOLEAN;
ALTER TABLE instances ADD COLUMN failover VARCHAR(1000);
