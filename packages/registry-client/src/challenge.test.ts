import { describe, expect, it } from 'vitest'
import { challengeKey, challengeScopes, parseChallenges, pickChallenge } from './challenge.ts'

// Real header samples (peers-and-protocol.md §2.11; Renovate's and peers' fixtures).
const SAMPLES = {
  dockerHub: 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"',
  dockerHubResource:
    'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull",error="insufficient_scope"',
  ghcr: 'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"',
  ecr: 'Basic realm="https://123456789012.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com"',
  gcr: 'Bearer realm="https://gcr.io/v2/token",service="gcr.io"',
  artifactRegistry: 'Bearer realm="https://europe-docker.pkg.dev/v2/token"',
  quay: 'Bearer realm="https://quay.io/v2/auth",service="quay.io"',
  gitlab: 'Bearer realm="https://gitlab.com/jwt/auth",service="container_registry"',
  artifactoryBasic: 'Basic realm="Artifactory Realm"',
  artifactoryBearer:
    'Bearer realm="https://acme.jfrog.io/artifactory/api/docker/docker-remote/v2/token",service="acme.jfrog.io"',
  codeberg:
    'Bearer realm="https://codeberg.org/v2/token",service="container_registry",scope="*",Basic realm="https://codeberg.org/v2",service="container_registry",scope="*"',
  registry2Basic: 'Basic realm="Registry Realm"',
  registry2Token:
    'Bearer realm="https://127.0.0.1:5001/token",service="watchtower-ts-bed",scope="repository:team/app:pull",error="insufficient_scope"',
  acr: 'Basic realm="Azure Container Registry"',
  harbor: 'Bearer realm="https://harbor.example.com/service/token",service="harbor-registry"',
}

describe('parseChallenges: real registries', () => {
  it('Docker Hub ping', () => {
    expect(parseChallenges(SAMPLES.dockerHub)).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io' } },
    ])
  })
  it('Docker Hub resource 401 with insufficient_scope', () => {
    const [c] = parseChallenges(SAMPLES.dockerHubResource)
    expect(c!.params).toEqual({
      realm: 'https://auth.docker.io/token',
      service: 'registry.docker.io',
      scope: 'repository:library/nginx:pull',
      error: 'insufficient_scope',
    })
    expect(challengeScopes(c!)).toEqual(['repository:library/nginx:pull'])
  })
  it('GHCR with scope', () => {
    expect(parseChallenges(SAMPLES.ghcr)[0]!.params['scope']).toBe('repository:user/image:pull')
  })
  it('ECR Basic keeps the realm URL', () => {
    expect(parseChallenges(SAMPLES.ecr)).toEqual([
      {
        scheme: 'basic',
        params: {
          realm: 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com/',
          service: 'ecr.amazonaws.com',
        },
      },
    ])
  })
  it('GCR, Quay, GitLab, Harbor Bearer', () => {
    for (const h of [SAMPLES.gcr, SAMPLES.quay, SAMPLES.gitlab, SAMPLES.harbor, SAMPLES.artifactoryBearer]) {
      const [c] = parseChallenges(h)
      expect(c!.scheme).toBe('bearer')
      expect(c!.params['realm']).toMatch(/^https:\/\//)
      expect(c!.params['service']).toBeTruthy()
    }
  })
  it('Artifact Registry: realm-only Bearer (no service) is accepted', () => {
    const c = pickChallenge(parseChallenges(SAMPLES.artifactRegistry))
    expect(c).toEqual({ scheme: 'bearer', params: { realm: 'https://europe-docker.pkg.dev/v2/token' } })
  })
  it('Artifactory, ACR and registry:2 htpasswd Basic', () => {
    expect(parseChallenges(SAMPLES.artifactoryBasic)).toEqual([
      { scheme: 'basic', params: { realm: 'Artifactory Realm' } },
    ])
    expect(parseChallenges(SAMPLES.acr)[0]!.params['realm']).toBe('Azure Container Registry')
    expect(parseChallenges(SAMPLES.registry2Basic)[0]!.params['realm']).toBe('Registry Realm')
  })
  it('Codeberg: Bearer and Basic in one header, Bearer preferred', () => {
    const all = parseChallenges(SAMPLES.codeberg)
    expect(all).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'https://codeberg.org/v2/token', service: 'container_registry', scope: '*' },
      },
      {
        scheme: 'basic',
        params: { realm: 'https://codeberg.org/v2', service: 'container_registry', scope: '*' },
      },
    ])
    expect(pickChallenge(all)!.scheme).toBe('bearer')
    expect(pickChallenge([...all].reverse())!.scheme).toBe('bearer')
  })
  it('registry:2 token auth resource challenge', () => {
    expect(parseChallenges(SAMPLES.registry2Token)[0]!.params['error']).toBe('insufficient_scope')
  })
})

describe('parseChallenges: RFC 7235 corners', () => {
  it('several header lines', () => {
    const all = parseChallenges(['Basic realm="a"', 'Bearer realm="https://x/token"'])
    expect(all.map((c) => c.scheme)).toEqual(['basic', 'bearer'])
  })
  it('case-insensitive scheme and parameter names, values keep their case', () => {
    const [c] = parseChallenges('BEARER Realm="https://Auth.Example.com/Token",SERVICE="Reg"')
    expect(c).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://Auth.Example.com/Token', service: 'Reg' },
    })
  })
  it('quoted values with commas, = and escapes', () => {
    const [c] = parseChallenges(
      'Bearer realm="https://x/token?a=1,b=2",scope="repository:a/b:pull,push repository:c:pull",note="say \\"hi\\", ok"',
    )
    expect(c!.params).toEqual({
      realm: 'https://x/token?a=1,b=2',
      scope: 'repository:a/b:pull,push repository:c:pull',
      note: 'say "hi", ok',
    })
    expect(challengeScopes(c!)).toEqual(['repository:a/b:pull,push', 'repository:c:pull'])
  })
  it('unquoted token values, spaces around = and commas, empty list elements', () => {
    const [c, d] = parseChallenges('Bearer realm = "https://x/t" ,  service=svc , , Basic realm=r')
    expect(c).toEqual({ scheme: 'bearer', params: { realm: 'https://x/t', service: 'svc' } })
    expect(d).toEqual({ scheme: 'basic', params: { realm: 'r' } })
  })
  it('a relative realm is kept as sent (resolved by the client)', () => {
    expect(parseChallenges('Bearer realm="/v2/token",service="s"')[0]!.params['realm']).toBe('/v2/token')
  })
  it('bare schemes and token68', () => {
    expect(parseChallenges('Negotiate abc123==, Basic')).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'abc123==' },
      { scheme: 'basic', params: {} },
    ])
  })
  it('an unterminated quote takes the rest, and junk never loops', () => {
    expect(parseChallenges('Bearer realm="https://x/t')[0]!.params['realm']).toBe('https://x/t')
    expect(parseChallenges('"""===,,,').length).toBeGreaterThanOrEqual(0)
    expect(parseChallenges(undefined)).toEqual([])
  })
  it('pickChallenge ignores a Bearer without realm', () => {
    expect(pickChallenge(parseChallenges('Bearer service="x"'))).toBeUndefined()
  })
  it('challengeKey ignores parameter order', () => {
    const a = parseChallenges('Bearer realm="r",scope="s"')[0]
    const b = parseChallenges('Bearer scope="s", realm="r"')[0]
    expect(challengeKey(a)).toBe(challengeKey(b))
    expect(challengeKey(undefined)).toBe('')
  })
})
