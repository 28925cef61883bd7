-- Reads that stay fast as the tables grow (issue 12.5).

-- A customer's history is paged newest first by (created_at, id) < cursor (InteractionStore.ofCustomers): with this
-- index a page is one index range of the customer's rows, read backwards, whatever the table's size. It replaces
-- interactions_customer (customer_id, created_at DESC), which could not carry the cursor, so the planner walked
-- interactions_created_at back from the cursor through every customer's rows.
CREATE INDEX interactions_customer_history ON interactions (customer_id, created_at, id);
DROP INDEX interactions_customer;

-- Customer name search (CustomerStore.searchByName: lower(display_name) LIKE '%fragment%') through trigrams, not a
-- scan of every customer. pg_trgm ships with PostgreSQL's contrib (and the embedded server) and is a trusted
-- extension (a database owner may create it). Where it is missing or may not be created, the migration says so and
-- the search keeps working without the index.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      CREATE INDEX customers_name_trgm ON customers USING gin (lower(display_name) gin_trgm_ops)
        WHERE merged_into IS NULL;
      -- Served only prefix matches (text_pattern_ops), which the search never asks for.
      DROP INDEX IF EXISTS customers_name_lower;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE WARNING 'pg_trgm could not be created (%): customer name search scans the customers table', SQLERRM;
    END;
  ELSE
    RAISE WARNING 'pg_trgm is not installed on this PostgreSQL: customer name search scans the customers table';
  END IF;
END $$;
