/**
 * Rows stored in a Durable Object's SQLite, over every application table (internal `_cf_` and
 * `sqlite_` tables excluded): the raw read-back erasure uses to prove a room or stream is empty.
 */
export function storedRows(sql: SqlStorage): number {
  const tables = sql
    .exec<{ name: string }>(
      "select name from sqlite_master where type = 'table' and name not like '\\_cf\\_%' escape '\\' and name not like 'sqlite\\_%' escape '\\'",
    )
    .toArray();
  let n = 0;
  for (const { name } of tables) {
    const [row] = sql
      .exec<{ n: number }>(`select count(*) as n from "${name.replaceAll('"', '""')}"`)
      .toArray();
    n += Number(row?.n ?? 0);
  }
  return n;
}
