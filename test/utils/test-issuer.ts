import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal OpenID issuer on 127.0.0.1 for tests: discovery document + JWKS, and a signer for
 * tokens with any claims. The app does not trust it unless a test lists it under `additionalIssuers`
 * (then it stands in for NHS CIS2 or NHS login); otherwise it is only for forging bad tokens.
 * `expiresIn` is a jose time span ("10m") or an absolute expiry in epoch seconds.
 */
export interface TestIssuer {
  url: string;
  sign(
    claims: Record<string, unknown>,
    options?: { expiresIn?: string | number; audience?: string; issuer?: string; subject?: string },
  ): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIssuer(audience = 'waitwell-api'): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  let url = '';
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/jwks` }));
    } else if (req.url === '/jwks') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    sign: (claims, o = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .setIssuer(o.issuer ?? url)
        .setAudience(o.audience ?? audience)
        .setSubject(o.subject ?? (typeof claims['sub'] === 'string' ? claims['sub'] : 'test-user'))
        .setIssuedAt()
        .setExpirationTime(o.expiresIn ?? '10m')
        .sign(privateKey),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
