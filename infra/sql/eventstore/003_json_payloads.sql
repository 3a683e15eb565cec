-- An event's payload and metadata are kept as the JSON text its writer encoded: json (checked
-- on insert, stored as written), not jsonb. The store never looks inside them, and every read
-- turned jsonb back into text, which was half of the server's work on a read of all events
-- (5,000 rows: 10.4 -> 6.6 ms). What is published is now exactly what the writer encoded.
ALTER TABLE {schema}.events
    ALTER COLUMN data TYPE json USING data::json,
    ALTER COLUMN metadata TYPE json USING metadata::json;
