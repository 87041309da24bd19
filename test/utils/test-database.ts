import pg from 'pg';

/** The test run's PostgreSQL (set by global-setup.mjs). */
export const testDatabaseUrl = (): string => process.env.WAITWELL_TEST_DATABASE_URL as string;

/** The test server's URL for another database on it, optionally as another login. */
export function testDatabaseUrlFor(
  database: string,
  user?: { name: string; password: string },
): string {
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${database}`;
  if (user) {
    url.username = user.name;
    url.password = user.password;
  }
  return url.toString();
}

/** Runs `fn` with a client of its own on `url`, closed afterwards. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
