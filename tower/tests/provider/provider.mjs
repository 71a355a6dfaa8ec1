// The OpenID provider the jwt-core-tower tests run against: node-oidc-provider, on
// 127.0.0.1, issuing RFC 9068 access tokens by the client credentials grant.
//
// Environment:
//   PORT        port to listen on (127.0.0.1)
//   ISSUER      issuer identifier (default http://127.0.0.1:PORT)
//   GENERATION  names the signing keys' kids (es256-GEN, rs256-GEN); each start makes new keys
//   TOKEN_TTL   access token lifetime in seconds (default 300)
//
// Resources (the `resource` parameter of the token request), all for audience urn:orders:
//   urn:orders        JWT access token signed with ES256
//   urn:orders:rs256  JWT access token signed with RS256
//   urn:orders:opaque opaque access token (for introspection)
//
// Clients: `app` / `app-secret` gets tokens; `gateway` / `gateway-secret` introspects.
// GET /__counts answers how many times the key set was requested since the start.

import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = process.env.ISSUER || `http://127.0.0.1:${port}`;
const generation = process.env.GENERATION || '1';
const ttl = Number(process.env.TOKEN_TTL || 300);

function key(kind, options, kid, alg) {
  const { privateKey } = generateKeyPairSync(kind, options);
  return { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}

const keys = [
  key('ec', { namedCurve: 'P-256' }, `es256-${generation}`, 'ES256'),
  key('rsa', { modulusLength: 2048 }, `rs256-${generation}`, 'RS256'),
];

const resources = {
  'urn:orders': { accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } },
  'urn:orders:rs256': { accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } },
  'urn:orders:opaque': { accessTokenFormat: 'opaque' },
};

const provider = new Provider(issuer, {
  jwks: { keys },
  scopes: ['orders:read', 'orders:write'],
  clients: [
    {
      client_id: 'app',
      client_secret: 'app-secret',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: 'orders:read orders:write',
    },
    {
      client_id: 'gateway',
      client_secret: 'gateway-secret',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    },
  ],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'urn:orders',
      useGrantedResource: () => true,
      getResourceServerInfo(ctx, resource) {
        const server = resources[resource];
        if (!server) throw new Provider.errors.InvalidTarget();
        return { scope: 'orders:read orders:write', audience: 'urn:orders', accessTokenTTL: ttl, ...server };
      },
    },
  },
});

let jwksRequests = 0;
provider.use(async (ctx, next) => {
  if (ctx.path === '/__counts') {
    ctx.body = { jwks: jwksRequests };
    return;
  }
  if (ctx.path === '/jwks') jwksRequests += 1;
  await next();
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
