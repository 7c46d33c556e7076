using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dggrn.Orchestrator.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class RollupNewBucketsFromInsertedRows : Migration
    {
        // A recomputed bucket replaces what the row held.
        const string Upsert = """
            ON CONFLICT (trial_id, name, level, bucket) DO UPDATE SET n = excluded.n,
              first_step = excluded.first_step, first_value = excluded.first_value, last_step = excluded.last_step,
              last_value = excluded.last_value, min_step = excluded.min_step, min_value = excluded.min_value,
              max_step = excluded.max_step, max_value = excluded.max_value
            """;

        const string Columns = "(trial_id, name, level, bucket, n, first_step, first_value, last_step, last_value, min_step, min_value, max_step, max_value)";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Inserted rows (the ingest's common case: new steps at the end of a series) no longer make the trigger re-read every
            // row of every bucket they touch. A bucket that did not exist held no rows, so the new rows' own aggregate is exact
            // for it: all ten levels of those are inserted from the statement's transition table in one statement. Only the
            // buckets that already existed (the one a series' last batch ended in, and its ancestors; or buckets an overwrite
            // of the same statement recomputed first, as ON CONFLICT DO UPDATE fires the UPDATE trigger before this one) are
            // recomputed from their source as before, so the result stays exact whatever the order (docs/benchmarks.md, ingest).
            // dggrn_metrics_rollup_trigger (migration MetricRollups) now serves UPDATE and DELETE only; its INSERT branch is
            // unused from here on and stays so that Down puts back exactly the trigger that was.
            migrationBuilder.Sql($$"""
                CREATE FUNCTION dggrn_metrics_rollup_insert_trigger() RETURNS trigger LANGUAGE plpgsql AS $fn$
                DECLARE
                  ids uuid[]; names text[]; lvls int[]; buckets bigint[];
                  lvl int;
                BEGIN
                  -- One writer per trial at a time, as in dggrn_metrics_rollup_trigger (trial id order: no deadlock).
                  PERFORM pg_advisory_xact_lock(1795, hashtext(t::text)) FROM (SELECT DISTINCT trial_id AS t FROM changed_new ORDER BY 1) d;
                  WITH l0 AS (
                    SELECT trial_id, name, step >> 4 AS b, count(*)::int AS n,
                           min(ARRAY[step::float8, value]) AS f, max(ARRAY[step::float8, value]) AS l,
                           min(ARRAY[value, step::float8]) AS mn, max(ARRAY[value, -step::float8]) AS mx
                    FROM changed_new GROUP BY 1, 2, 3),
                  d AS (
                    SELECT trial_id, name, g.lv, b >> (2 * g.lv) AS b, sum(n)::int AS n, min(f) AS f, max(l) AS l, min(mn) AS mn, max(mx) AS mx
                    FROM l0 CROSS JOIN generate_series(0, 9) AS g(lv) GROUP BY 1, 2, 3, 4),
                  fresh AS (
                    INSERT INTO metric_rollups {{Columns}}
                    SELECT trial_id, name, lv, b, n, f[1]::bigint, f[2], l[1]::bigint, l[2], mn[2]::bigint, mn[1], (-mx[2])::bigint, mx[1] FROM d
                    ON CONFLICT (trial_id, name, level, bucket) DO NOTHING
                    RETURNING trial_id, name, level, bucket)
                  SELECT array_agg(d.trial_id), array_agg(d.name), array_agg(d.lv), array_agg(d.b) INTO ids, names, lvls, buckets
                  FROM d WHERE NOT EXISTS (SELECT 1 FROM fresh x WHERE x.trial_id = d.trial_id AND x.name = d.name AND x.level = d.lv AND x.bucket = d.b);
                  IF ids IS NULL THEN RETURN NULL; END IF;
                  -- The buckets that existed: level 0 from their rows, each coarser level from the 4 buckets under it.
                  INSERT INTO metric_rollups AS x {{Columns}}
                  SELECT trial_id, name, 0, b, n, f[1]::bigint, f[2], l[1]::bigint, l[2], mn[2]::bigint, mn[1], (-mx[2])::bigint, mx[1]
                  FROM (SELECT m.trial_id, m.name, r.b, count(*)::int AS n,
                               min(ARRAY[m.step::float8, m.value]) AS f, max(ARRAY[m.step::float8, m.value]) AS l,
                               min(ARRAY[m.value, m.step::float8]) AS mn, max(ARRAY[m.value, -m.step::float8]) AS mx
                        FROM unnest(ids, names, lvls, buckets) AS r(trial_id, name, rl, b)
                        JOIN metrics m ON m.trial_id = r.trial_id AND m.name = r.name AND m.step >= r.b << 4 AND m.step < (r.b + 1) << 4
                        WHERE r.rl = 0
                        GROUP BY 1, 2, 3) a
                  {{Upsert}};
                  FOR lvl IN 1..9 LOOP
                    CONTINUE WHEN NOT lvl = ANY(lvls);
                    INSERT INTO metric_rollups AS x {{Columns}}
                    SELECT trial_id, name, lvl, b, n, f[1]::bigint, f[2], l[1]::bigint, l[2], mn[2]::bigint, mn[1], (-mx[2])::bigint, mx[1]
                    FROM (SELECT c.trial_id, c.name, r.b, sum(c.n)::int AS n,
                                 min(ARRAY[c.first_step::float8, c.first_value]) AS f, max(ARRAY[c.last_step::float8, c.last_value]) AS l,
                                 min(ARRAY[c.min_value, c.min_step::float8]) AS mn, max(ARRAY[c.max_value, -c.max_step::float8]) AS mx
                          FROM unnest(ids, names, lvls, buckets) AS r(trial_id, name, rl, b)
                          JOIN metric_rollups c ON c.trial_id = r.trial_id AND c.name = r.name AND c.level = lvl - 1
                                               AND c.bucket >= r.b << 2 AND c.bucket < (r.b + 1) << 2
                          WHERE r.rl = lvl
                          GROUP BY 1, 2, 3) a
                    {{Upsert}};
                  END LOOP;
                  RETURN NULL;
                END
                $fn$;

                DROP TRIGGER metrics_rollups_insert ON metrics;
                CREATE TRIGGER metrics_rollups_insert AFTER INSERT ON metrics REFERENCING NEW TABLE AS changed_new
                  FOR EACH STATEMENT EXECUTE FUNCTION dggrn_metrics_rollup_insert_trigger();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER metrics_rollups_insert ON metrics;
                CREATE TRIGGER metrics_rollups_insert AFTER INSERT ON metrics REFERENCING NEW TABLE AS changed_new
                  FOR EACH STATEMENT EXECUTE FUNCTION dggrn_metrics_rollup_trigger();
                DROP FUNCTION dggrn_metrics_rollup_insert_trigger();
                """);
        }
    }
}
