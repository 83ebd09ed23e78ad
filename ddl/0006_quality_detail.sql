-- quality_results gains what a check was held against and what it names: the threshold as
-- written in the market's rules (with cap names and units), the first rows or locations involved
-- (natural keys with their values, or series with their counts per local market day) and how many
-- there were in all. Run once, like every migration (ingest ddl apply records it).
ALTER TABLE ${database}.quality_results ADD COLUMN threshold String DEFAULT '' AFTER expected;
ALTER TABLE ${database}.quality_results ADD COLUMN involved Array(String) AFTER details;
ALTER TABLE ${database}.quality_results ADD COLUMN involved_count UInt64 DEFAULT 0 AFTER involved;
