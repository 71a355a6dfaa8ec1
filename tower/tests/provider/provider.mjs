// The OpenID provider the jwt-core-tower tests run against: node-oidc-provider, on
// 127.0.0.1, issuing RFC 9068 access tokens by the client credentials grant.
//
// Environment:
//   PORT        port to listen on (127.0.0.1); 0 or unset: a free port chosen by the system
//   ISSUER_HOST host name of the issuer identifier http://HOST:PORT (default 127.0.0.1)
//   GENERATION  names the signing keys' kids (es256-GEN, rs256-GEN, ...); each start makes new
//               keys
//   TOKEN_TTL   access token lifetime in seconds (default 300)
//   MTLS        1: certificate-bound access tokens (RFC 8705 section 3) for the client
//               `mtls-app` (see below)
//   DPOP_NONCE  1: the provider requires a DPoP server nonce in every proof (RFC 9449
//               section 8): a token request whose proof lacks it gets 400 use_dpop_nonce
//               and the nonce in a `DPoP-Nonce` header
//
// Resources (the `resource` parameter of the token request), all for audience urn:orders:
//   urn:orders        JWT access token signed with ES256
//   urn:orders:rs256  JWT access token signed with RS256
//   urn:orders:opaque opaque access token (for introspection)
//   urn:orders:alg:ALG (ALG one of PS256 PS384 PS512 RS256 RS384 RS512 ES256 ES384 ES512
//                     EdDSA) JWT access token signed with ALG by the key `KID` of the table
//                     `signers` below
//
// Keys: es256-GEN (P-256) and rs256-GEN (RSA) name their alg; es384-GEN (P-384) and es512-GEN
// (P-521) are given none, and the provider publishes the one their curve allows; rsa-GEN
// (RSA 2048) and ed25519-GEN (Ed25519) are given none and published without one, as the
// provider's documentation generates them, since it signs with them under several
// algorithms (PS* and RS*; EdDSA and Ed25519). The provider signs with no secp256k1 key
// (ES256K): it refuses to start with one in its key set.
//
// Clients: `app` / `app-secret` gets tokens; `gateway` / `gateway-secret` introspects. With
// MTLS=1, `mtls-app` / `mtls-app-secret` (registered with
// `tls_client_certificate_bound_access_tokens`) gets tokens bound to its TLS client
// certificate: `cnf.x5t#S256` in a JWT and in the introspection answer of an opaque token.
// The provider serves plain HTTP, so it reads the certificate as a TLS-terminating proxy in
// front of it would pass it: an RFC 9440 `Client-Cert` header (`:` base64 DER `:`). A token
// request of `mtls-app` without one is refused (invalid_grant).
// GET /__counts answers how many times the key set was requested since the start.
// GET /__dpop_proof answers a fresh RFC 9449 DPoP proof for `POST {issuer}/token`, made with
// one P-256 key per process: a token request sending it as its `DPoP` header gets a token
// bound to that key (`token_type` DPoP, `cnf.jkt`). DPoP is on by default in oidc-provider.
//
// Once listening it prints `listening PORT ISSUER`. The socket is bound before the issuer is
// known, so a test never races another process for a port it was told is free.

import { X509Certificate, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { createServer } from 'node:http';
import { once } from 'node:events';
import Provider from 'oidc-provider';

// Requests that arrive while the provider is being set up wait for it.
let serve;
const handler = new Promise((resolve) => {
  serve = resolve;
});
const server = createServer((request, response) => {
  handler.then((handle) => handle(request, response));
});
server.listen(Number(process.env.PORT || 0), '127.0.0.1');
await once(server, 'listening');
const { port } = server.address();
const issuer = `http://${process.env.ISSUER_HOST || '127.0.0.1'}:${port}`;
const generation = process.env.GENERATION || '1';
const ttl = Number(process.env.TOKEN_TTL || 300);
const mtls = process.env.MTLS === '1';
const dpopNonce = process.env.DPOP_NONCE === '1';

function key(kind, options, kid, alg) {
  const { privateKey } = generateKeyPairSync(kind, options);
  return { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}

const keys = [
  key('ec', { namedCurve: 'P-256' }, `es256-${generation}`, 'ES256'),
  key('rsa', { modulusLength: 2048 }, `rs256-${generation}`, 'RS256'),
  key('ec', { namedCurve: 'P-384' }, `es384-${generation}`),
  key('ec', { namedCurve: 'P-521' }, `es512-${generation}`),
  key('rsa', { modulusLength: 2048 }, `rsa-${generation}`),
  key('ed25519', {}, `ed25519-${generation}`),
];

// The key each urn:orders:alg:ALG token is signed with.
const signers = {
  PS256: 'rsa',
  PS384: 'rsa',
  PS512: 'rsa',
  RS256: 'rsa',
  RS384: 'rsa',
  RS512: 'rsa',
  ES256: 'es256',
  ES384: 'es384',
  ES512: 'es512',
  EdDSA: 'ed25519',
};

const jwt = (alg, kid) => ({ accessTokenFormat: 'jwt', jwt: { sign: { alg, kid: `${kid}-${generation}` } } });
const resources = {
  'urn:orders': jwt('ES256', 'es256'),
  'urn:orders:rs256': jwt('RS256', 'rs256'),
  'urn:orders:opaque': { accessTokenFormat: 'opaque' },
  ...Object.fromEntries(Object.entries(signers).map(([alg, kid]) => [`urn:orders:alg:${alg}`, jwt(alg, kid)])),
};

// RFC 9440 `Client-Cert`: the DER certificate as an RFC 8941 byte sequence.
function clientCertificate(ctx) {
  const value = /^:([A-Za-z0-9+/]+={0,2}):$/.exec(ctx.get('client-cert').trim());
  if (!value) return undefined;
  try {
    return new X509Certificate(Buffer.from(value[1], 'base64'));
  } catch {
    return undefined;
  }
}

const mtlsClients = [
  {
    client_id: 'mtls-app',
    client_secret: 'mtls-app-secret',
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    scope: 'orders:read orders:write',
    tls_client_certificate_bound_access_tokens: true,
  },
];

const provider = new Provider(issuer, {
  jwks: { keys },
  scopes: ['orders:read', 'orders:write'],
  clients: [
    ...(mtls ? mtlsClients : []),
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
    ...(mtls && {
      mTLS: { enabled: true, certificateBoundAccessTokens: true, getCertificate: clientCertificate },
    }),
    ...(dpopNonce && {
      dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true },
    }),
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'urn:orders',
      useGrantedResource: () => true,
      getResourceServerInfo(ctx, resource) {
        const info = resources[resource];
        if (!info) throw new Provider.errors.InvalidTarget();
        return { scope: 'orders:read orders:write', audience: 'urn:orders', accessTokenTTL: ttl, ...info };
      },
    },
  },
});

// RFC 9449 section 4.2: a JWS of type dpop+jwt carrying its public key, over the method
// and URL of the request it goes with.
const dpopKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
function dpopProof(htm, htu) {
  const { kty, crv, x, y } = dpopKey.publicKey.export({ format: 'jwk' });
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = part({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } });
  const payload = part({ jti: randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000) });
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), {
    key: dpopKey.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${header}.${payload}.${signature.toString('base64url')}`;
}

let jwksRequests = 0;
provider.use(async (ctx, next) => {
  if (ctx.path === '/__counts') {
    ctx.body = { jwks: jwksRequests };
    return;
  }
  if (ctx.path === '/__dpop_proof') {
    ctx.body = dpopProof('POST', `${issuer}/token`);
    return;
  }
  if (ctx.path === '/jwks') jwksRequests += 1;
  await next();
});

serve(provider.callback());
console.log(`listening ${port} ${issuer}`);
