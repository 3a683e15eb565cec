-- Where a relay starting up reads its stages' messages back from to find what the stream
-- holds after its checkpoint: at or before any message a partly acknowledged batch left
-- there (stream_seq, the sequence reached, may be past some of them).
ALTER TABLE {schema}.checkpoints ADD COLUMN scan_from bigint NOT NULL DEFAULT 0;
UPDATE {schema}.checkpoints SET scan_from = stream_seq;
