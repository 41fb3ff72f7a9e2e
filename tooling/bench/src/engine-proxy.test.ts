import { describe, expect, it } from 'vitest'
import { endpointOf, summarizeEngine } from './_engine-proxy.ts'

describe('the engine proxy counts per endpoint', () => {
  it('drops the API version and the query, and names ids and image names by their role', () => {
    expect(endpointOf('GET', '/v1.41/containers/json?all=1&filters=%7B%7D')).toBe('GET /containers/json')
    expect(endpointOf('GET', '/v1.41/containers/3f2a9c/json')).toBe('GET /containers/{id}/json')
    expect(endpointOf('GET', '/v1.41/images/sha256:abc/json')).toBe('GET /images/{name}/json')
    expect(endpointOf('GET', '/images/127.0.0.1:5000/a/b:latest/json')).toBe('GET /images/{name}/json')
    expect(endpointOf('POST', '/v1.41/images/create?fromImage=x')).toBe('POST /images/create')
    expect(endpointOf('POST', '/v1.41/containers/create?name=x')).toBe('POST /containers/create')
    expect(endpointOf('POST', '/v1.41/containers/ab/start')).toBe('POST /containers/{id}/start')
    expect(endpointOf('GET', '/version')).toBe('GET /version')
    expect(endpointOf('HEAD', '/_ping')).toBe('HEAD /_ping')
  })

  it('sums a cycle up as list + container inspects + image inspects + other', () => {
    expect(
      summarizeEngine({
        'GET /containers/json': 1,
        'GET /containers/{id}/json': 40,
        'GET /images/{name}/json': 8,
        'GET /version': 1,
        'GET /info': 1,
      }),
    ).toEqual({ lists: 1, containerInspects: 40, imageInspects: 8, other: 2, total: 51 })
  })
})
