-- pgvector where the server has it (Neon, PGlite with the extension loaded): a vector copy of
-- each library embedding, so retrieval can order by cosine distance in SQL. Elsewhere (a plain
-- Postgres without the extension) nothing is added and retrieval uses the float-array fallback.
DO $$
BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS vector;
  EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pgvector is not available: library retrieval uses the float-array fallback';
  END;
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') THEN
    ALTER TABLE library_vectors ADD COLUMN IF NOT EXISTS embedding_v vector;
  END IF;
END $$;
