using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dggrn.Orchestrator.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class MetricRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "metric_rollups",
                columns: table => new
                {
                    trial_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    level = table.Column<short>(type: "smallint", nullable: false),
                    bucket = table.Column<long>(type: "bigint", nullable: false),
                    n = table.Column<int>(type: "integer", nullable: false),
                    first_step = table.Column<long>(type: "bigint", nullable: false),
                    first_value = table.Column<double>(type: "double precision", nullable: false),
                    last_step = table.Column<long>(type: "bigint", nullable: false),
                    last_value = table.Column<double>(type: "double precision", nullable: false),
                    min_step = table.Column<long>(type: "bigint", nullable: false),
                    min_value = table.Column<double>(type: "double precision", nullable: false),
                    max_step = table.Column<long>(type: "bigint", nullable: false),
                    max_value = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_metric_rollups", x => new { x.trial_id, x.name, x.level, x.bucket });
                });

            // The rollups are kept by PostgreSQL itself, for every writer of metrics (the orchestrator's ingest, COPY, tests):
            // statement triggers with transition tables recompute each touched bucket from its source. EF cannot express
            // functions or triggers, so they are SQL here (docs/decisions.md, "Curves at any length").
            migrationBuilder.Sql("""
                CREATE FUNCTION dggrn_metric_rollups_refresh(ids uuid[], names text[], los bigint[], his bigint[]) RETURNS void
                LANGUAGE plpgsql AS $fn$
                DECLARE
                  lvl int;
                BEGIN
                  -- Level 0 from the metric rows of every bucket the changed steps fall in (16 steps each), then each coarser level
                  -- from the 4 finer buckets under it: every touched bucket is recomputed from its source, never merged, so overwrites
                  -- and deletes leave exact rollups. min(ARRAY[a, b]) is an arg-min without sorting (arrays compare element-wise; ties
                  -- go to the earliest step; NaN sorts above every number, as in float8 order).
                  INSERT INTO metric_rollups AS x (trial_id, name, level, bucket, n, first_step, first_value, last_step, last_value,
                                                   min_step, min_value, max_step, max_value)
                  SELECT trial_id, name, 0, b, n, f[1]::bigint, f[2], l[1]::bigint, l[2], mn[2]::bigint, mn[1], (-mx[2])::bigint, mx[1]
                  FROM (SELECT m.trial_id, m.name, m.step >> 4 AS b, count(*)::int AS n,
                               min(ARRAY[m.step::float8, m.value]) AS f, max(ARRAY[m.step::float8, m.value]) AS l,
                               min(ARRAY[m.value, m.step::float8]) AS mn, max(ARRAY[m.value, -m.step::float8]) AS mx
                        FROM unnest(ids, names, los, his) AS r(trial_id, name, lo, hi)
                        JOIN metrics m ON m.trial_id = r.trial_id AND m.name = r.name
                                      AND m.step >= (r.lo >> 4) << 4 AND m.step < ((r.hi >> 4) + 1) << 4
                        GROUP BY 1, 2, 3) a
                  ON CONFLICT (trial_id, name, level, bucket) DO UPDATE SET n = excluded.n,
                    first_step = excluded.first_step, first_value = excluded.first_value, last_step = excluded.last_step,
                    last_value = excluded.last_value, min_step = excluded.min_step, min_value = excluded.min_value,
                    max_step = excluded.max_step, max_value = excluded.max_value;
                  FOR lvl IN 1..9 LOOP
                    INSERT INTO metric_rollups AS x (trial_id, name, level, bucket, n, first_step, first_value, last_step, last_value,
                                                     min_step, min_value, max_step, max_value)
                    SELECT trial_id, name, lvl, b, n, f[1]::bigint, f[2], l[1]::bigint, l[2], mn[2]::bigint, mn[1], (-mx[2])::bigint, mx[1]
                    FROM (SELECT c.trial_id, c.name, c.bucket >> 2 AS b, sum(c.n)::int AS n,
                                 min(ARRAY[c.first_step::float8, c.first_value]) AS f, max(ARRAY[c.last_step::float8, c.last_value]) AS l,
                                 min(ARRAY[c.min_value, c.min_step::float8]) AS mn, max(ARRAY[c.max_value, -c.max_step::float8]) AS mx
                          FROM unnest(ids, names, los, his) AS r(trial_id, name, lo, hi)
                          JOIN metric_rollups c ON c.trial_id = r.trial_id AND c.name = r.name AND c.level = lvl - 1
                                               AND c.bucket >= (r.lo >> (4 + 2 * lvl)) << 2 AND c.bucket < ((r.hi >> (4 + 2 * lvl)) + 1) << 2
                          GROUP BY 1, 2, 3) a
                    ON CONFLICT (trial_id, name, level, bucket) DO UPDATE SET n = excluded.n,
                      first_step = excluded.first_step, first_value = excluded.first_value, last_step = excluded.last_step,
                      last_value = excluded.last_value, min_step = excluded.min_step, min_value = excluded.min_value,
                      max_step = excluded.max_step, max_value = excluded.max_value;
                  END LOOP;
                END
                $fn$;

                CREATE FUNCTION dggrn_metrics_rollup_trigger() RETURNS trigger LANGUAGE plpgsql AS $fn$
                DECLARE
                  ids uuid[]; names text[]; los bigint[]; his bigint[];
                BEGIN
                  IF TG_OP = 'INSERT' THEN
                    SELECT array_agg(trial_id), array_agg(name), array_agg(lo), array_agg(hi) INTO ids, names, los, his
                    FROM (SELECT trial_id, name, min(step) AS lo, max(step) AS hi FROM changed_new GROUP BY 1, 2 ORDER BY 1, 2) s;
                  ELSIF TG_OP = 'UPDATE' THEN
                    SELECT array_agg(trial_id), array_agg(name), array_agg(lo), array_agg(hi) INTO ids, names, los, his
                    FROM (SELECT trial_id, name, min(step) AS lo, max(step) AS hi
                          FROM (SELECT trial_id, name, step FROM changed_old UNION ALL SELECT trial_id, name, step FROM changed_new) u
                          GROUP BY 1, 2 ORDER BY 1, 2) s;
                  ELSE
                    SELECT array_agg(trial_id), array_agg(name), array_agg(lo), array_agg(hi) INTO ids, names, los, his
                    FROM (SELECT trial_id, name, min(step) AS lo, max(step) AS hi FROM changed_old GROUP BY 1, 2 ORDER BY 1, 2) s;
                  END IF;
                  IF ids IS NULL THEN RETURN NULL; END IF;
                  -- One writer per trial at a time: each statement below sees the rows committed before it, so a concurrent batch of the
                  -- same trial cannot overwrite a bucket with a sum that misses rows (transaction-scoped; in trial id order, no deadlock).
                  PERFORM pg_advisory_xact_lock(1795, hashtext(t::text)) FROM (SELECT DISTINCT unnest(ids) AS t ORDER BY 1) d;
                  IF TG_OP = 'DELETE' THEN
                    -- A bucket that lost its last row must go; the others are recomputed below.
                    DELETE FROM metric_rollups x USING unnest(ids, names, los, his) AS r(trial_id, name, lo, hi)
                    WHERE x.trial_id = r.trial_id AND x.name = r.name AND x.bucket >= r.lo >> (4 + 2 * x.level) AND x.bucket <= r.hi >> (4 + 2 * x.level);
                  END IF;
                  PERFORM dggrn_metric_rollups_refresh(ids, names, los, his);
                  RETURN NULL;
                END
                $fn$;

                CREATE TRIGGER metrics_rollups_insert AFTER INSERT ON metrics REFERENCING NEW TABLE AS changed_new
                  FOR EACH STATEMENT EXECUTE FUNCTION dggrn_metrics_rollup_trigger();
                CREATE TRIGGER metrics_rollups_update AFTER UPDATE ON metrics REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
                  FOR EACH STATEMENT EXECUTE FUNCTION dggrn_metrics_rollup_trigger();
                CREATE TRIGGER metrics_rollups_delete AFTER DELETE ON metrics REFERENCING OLD TABLE AS changed_old
                  FOR EACH STATEMENT EXECUTE FUNCTION dggrn_metrics_rollup_trigger();
                """);
            // Existing series get their rollups once.
            migrationBuilder.Sql("""
                SELECT dggrn_metric_rollups_refresh(array_agg(trial_id), array_agg(name), array_agg(lo), array_agg(hi))
                FROM (SELECT trial_id, name, min(step) AS lo, max(step) AS hi FROM metrics GROUP BY 1, 2) s
                HAVING count(*) > 0;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER metrics_rollups_insert ON metrics;
                DROP TRIGGER metrics_rollups_update ON metrics;
                DROP TRIGGER metrics_rollups_delete ON metrics;
                DROP FUNCTION dggrn_metrics_rollup_trigger();
                DROP FUNCTION dggrn_metric_rollups_refresh(uuid[], text[], bigint[], bigint[]);
                """);
            migrationBuilder.DropTable(
                name: "metric_rollups");
        }
    }
}
