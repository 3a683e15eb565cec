-- Each initiative's contribution to the portfolio figures, in typed columns of its row
-- (services/projection/contribution.py writes them with the row, live and in a rebuild):
-- the figures are aggregated over these instead of decoding every row's document.
ALTER TABLE {schema}.initiatives
    ADD COLUMN IF NOT EXISTS sponsor         text NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS gates_passed    text[] NOT NULL DEFAULT '{}',
    ADD COLUMN IF NOT EXISTS gates_decided   text[] NOT NULL DEFAULT '{}',
    ADD COLUMN IF NOT EXISTS visit_stages    text[] NOT NULL DEFAULT '{}',
    ADD COLUMN IF NOT EXISTS visit_entered   timestamptz[] NOT NULL DEFAULT '{}',
    ADD COLUMN IF NOT EXISTS visit_left      timestamptz[] NOT NULL DEFAULT '{}',
    ADD COLUMN IF NOT EXISTS case_currency   text,
    ADD COLUMN IF NOT EXISTS case_confidence text,
    ADD COLUMN IF NOT EXISTS case_expected   double precision,
    ADD COLUMN IF NOT EXISTS case_one_off    double precision,
    ADD COLUMN IF NOT EXISTS case_running    double precision,
    ADD COLUMN IF NOT EXISTS case_realised   double precision,
    ADD COLUMN IF NOT EXISTS poc_from        timestamptz,
    ADD COLUMN IF NOT EXISTS pilot_from      timestamptz,
    ADD COLUMN IF NOT EXISTS stopped_at      timestamptz;

-- The rows stored before: the same values from their documents (what contribution.py
-- computes; tests/integration/test_portfolio_figures.py checks that they agree).
UPDATE {schema}.initiatives i SET
    sponsor = coalesce(i.summary ->> 'sponsor', ''),
    gates_passed = g.passed,
    gates_decided = g.decided,
    visit_stages = v.stages,
    visit_entered = v.entered,
    visit_left = v.left_at,
    case_currency = c.doc ->> 'currency',
    case_confidence = c.doc ->> 'confidence',
    case_expected = (c.doc ->> 'expected_annual_value')::float8,
    case_one_off = (c.doc ->> 'one_off_cost')::float8,
    case_running = (c.doc ->> 'running_cost_per_year')::float8,
    case_realised = CASE
        WHEN c.doc IS NULL THEN NULL
        WHEN coalesce(c.doc ->> 'kpi_id', '') = '' THEN 0.0
        ELSE (i.doc #>> '{business_case,accrual,unit_years}')::float8
            * (c.doc ->> 'value_per_unit')::float8
    END,
    poc_from = (i.doc #>> '{business_case,spending,poc_from}')::timestamptz,
    pilot_from = (i.doc #>> '{business_case,spending,pilot_from}')::timestamptz,
    stopped_at = (i.doc #>> '{business_case,spending,stopped_at}')::timestamptz
FROM {schema}.initiatives d
CROSS JOIN LATERAL (
    SELECT
        coalesce(array_agg(DISTINCT r ->> 'gate' ORDER BY r ->> 'gate') FILTER (
            WHERE r #>> '{decision,decision}' IN ('go', 'conditional_go')), '{}') AS passed,
        coalesce(array_agg(DISTINCT r ->> 'gate' ORDER BY r ->> 'gate') FILTER (
            WHERE r #>> '{decision,decision}' IN ('go', 'conditional_go', 'kill')), '{}')
            AS decided
    FROM jsonb_array_elements(coalesce(d.doc #> '{gates,reviews}', '[]')) r
) g
CROSS JOIN LATERAL (
    SELECT
        coalesce(array_agg(x ->> 'stage' ORDER BY n), '{}') AS stages,
        coalesce(array_agg((x ->> 'entered_at')::timestamptz ORDER BY n), '{}') AS entered,
        coalesce(array_agg((x ->> 'left_at')::timestamptz ORDER BY n), '{}') AS left_at
    FROM jsonb_array_elements(coalesce(d.doc #> '{visits,visits}', '[]')) WITH ORDINALITY
        AS e(x, n)
) v
CROSS JOIN LATERAL (SELECT d.doc #> '{business_case,history,-1,case}' AS doc) c
WHERE d.initiative_id = i.initiative_id;
