export { swarmEngine26 } from './_engine26.ts'
export { ensureIsolated as isolatedEngine, ensureModern as modernEngine } from './_isolated.ts'
export { ensureNpmRegistry as npmRegistry, type NpmRegistry } from './_npm-registry.ts'
export { ensureSshEngine as sshEngine, type SshEngine } from './_sshd.ts'
export {
  ensureSwarm as swarmCluster,
  type SwarmCluster,
  type SwarmEngineSpec,
  type SwarmNode,
  type SwarmRegistry,
} from './_swarm.ts'
export { freePort, type RunOptions, type RunResult, run as runProcess } from './_util.ts'
export { type BuildImageOptions, buildImage } from './build-image.ts'
export { type DockerCliOptions, dockerCli } from './docker-cli.ts'
export {
  type HostileHandler,
  type HostileRequest,
  type HostileServer,
  type HostileServerOptions,
  hostile,
  hostileServer,
} from './hostile.ts'
export { proxyRequests } from './proxy-log.ts'
export { type PushedImage, type PushImageOptions, pushImage } from './push-image.ts'
export { registryRequests } from './registry-log.ts'
export { type TagImageOptions, tagImage } from './tag-image.ts'
export { clearTokenLog, clearTokenPolicy, setTokenPolicy, tokenLog } from './token-admin.ts'
export type {
  IsolatedEngine,
  PassStore,
  ProxyInfo,
  ProxyRequestRecord,
  RegistryInfo,
  RegistryName,
  RegistryRequestRecord,
  Testbed,
  TlsMaterial,
  TokenPolicy,
  TokenRequestRecord,
  TokenServerInfo,
  UserInfo,
} from './types.ts'
export { uniqueName } from './unique-name.ts'
