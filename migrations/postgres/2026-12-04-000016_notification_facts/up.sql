-- What an alert email says, as facts recorded by the use-case: composed into words when it
-- leaves (in the pharmacy's time zone).
ALTER TABLE notifications ADD COLUMN facts TEXT;
