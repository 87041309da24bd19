import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_USER_GRANT,
} from '../../src/auth/local-oidc/local-oidc.provider.js';

/** Asks the local OpenID provider's token endpoint for a demo user's access token (the documented curl, in code). */
export async function demoTokenFor(tokenEndpoint: string, username: string): Promise<string> {
  const res = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: DEMO_USER_GRANT, username }).toString(),
  });
  const body = (await res.json()) as {
    access_token?: string;
    error?: string;
    error_description?: string;
  };
  if (!res.ok || !body.access_token) {
    throw new Error(
      `local OpenID provider refused a token for ${username}: ${res.status} ${body.error ?? ''} ${body.error_description ?? ''}`,
    );
  }
  return body.access_token;
}
