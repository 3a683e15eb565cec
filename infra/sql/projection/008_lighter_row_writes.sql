-- Every event rewrites its initiative's row; two things made that write heavier than needed.
--
-- The documents (3 to 6 kB) are compressed as they are stored: with the default pglz that was
-- about 40 % of the write (125 -> 72 µs per upsert, pg_stat_statements; BENCHMARKS.md). They
-- are compressed with lz4 where the server has it; values already stored keep their
-- compression and read the same.
DO $$ BEGIN
  IF EXISTS (SELECT FROM pg_settings WHERE name = 'default_toast_compression'
             AND 'lz4' = ANY(enumvals)) THEN
    ALTER TABLE {schema}.initiatives
        ALTER COLUMN doc SET COMPRESSION lz4, ALTER COLUMN summary SET COMPRESSION lz4;
    ALTER TABLE {schema}.snapshots ALTER COLUMN doc SET COMPRESSION lz4;
    ALTER TABLE {schema}.trends ALTER COLUMN doc SET COMPRESSION lz4;
    ALTER TABLE {schema}.inbox ALTER COLUMN item SET COMPRESSION lz4;
  END IF;
END $$;

-- (updated_at DESC) is covered by 007's (updated_at DESC NULLS LAST, initiative_id): the
-- list's order and the range reads (updated_at >= $1, <= $1) use that one.
DROP INDEX IF EXISTS {schema}.initiatives_updated;
