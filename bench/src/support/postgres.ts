/** The benches' PostgreSQL probe: whether the database answers (benches skip their PostgreSQL part when not). */
import pg from 'pg';

/** Whether PostgreSQL at `url` answers a query within 3 s. */
export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
