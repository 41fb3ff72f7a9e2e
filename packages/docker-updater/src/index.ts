export {
  type CheckResult,
  checkSelection,
  createEngineCache,
  type EngineCache,
  refsToCheck,
} from './check.ts'
export { type AgeGate, ageGate, formatAge, parseCooldownDelay } from './cooldown.ts'
export {
  type CreateDockerEngineOptions,
  createDockerEngine,
  MAX_API_VERSION,
  type SshOptions,
} from './dockerode-engine.ts'
export type {
  ContainerConfig,
  ContainerInspect,
  ContainerState,
  ContainerSummary,
  CreateContainerBody,
  DockerEngine,
  EndpointSettings,
  EngineVersion,
  ExecResult,
  HealthConfig,
  HostConfig,
  ImageInspect,
  PullMessage,
  ServiceInspect,
  ServiceSpec,
  ServiceUpdateStatus,
  SwarmEngine,
  SwarmInfo,
  TaskInspect,
} from './engine.ts'
export {
  describeError,
  isUpdaterError,
  UpdaterError,
  type UpdaterErrorCode,
  type UpdaterErrorDetails,
} from './errors.ts'
export { executePlan } from './execute.ts'
export {
  exclusionReason,
  imageExclusionReason,
  imageNameOf,
  listStatuses,
  matchesNames,
  type SelectionOptions,
} from './filters.ts'
export {
  type EngineReport,
  type FleetEngine,
  type FleetReport,
  type FleetUpdateOptions,
  runFleetUpdate,
  shareChecker,
} from './fleet.ts'
export { LABELS, parseBool } from './labels.ts'
export { dependenciesOf, sortByDependencies } from './order.ts'
export { type PlanStep, planUpdate, type UpdatePlan } from './plan.ts'
export { parseAsideName } from './recreate.ts'
export { type CreatePlan, type PlanOptions, planRecreate } from './recreate-plan.ts'
export { runUpdate } from './run-update.ts'
export { type Selection, type SwarmSelection, selectTargets } from './select.ts'
export {
  type CompleteSelfUpdateOptions,
  completeSelfUpdate,
  isSelfUpdateParty,
  SELF_UPDATE_ENV,
  type SelfUpdateOptions,
  type SettleResult,
  type SettleSelfUpdateOptions,
  selfUpdateFromEnv,
  settleSelfUpdate,
} from './self-update.ts'
export {
  isSwarmTask,
  type RolledBackMemory,
  SWARM_LABEL_PREFIX,
  type SwarmRole,
  selectServices,
  serviceImage,
  swarmRoleOf,
} from './services.ts'
export {
  type DockerVersion,
  parseDockerVersion,
  parseTagPolicy,
  pickNewerTag,
  type TagChoice,
  type TagPolicy,
  TagPolicyError,
  type TagPolicyKind,
} from './tag-policy.ts'
export type {
  AuthProvider,
  ContainerReport,
  ContainerStatus,
  ImageChecker,
  ImagePlatform,
  ProgressEvent,
  RecoveryReport,
  SwarmPassInfo,
  UpdateEvent,
  UpdateOptions,
  UpdateReport,
} from './types.ts'
