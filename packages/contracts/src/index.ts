export {
  type CheckResult,
  COMPATIBILITY,
  checkContract,
  checkContracts,
  type RegisterResult,
  registerContract,
  registerContracts,
  subjectVersions,
} from './admin.js';
export type { AvroField, AvroRecordSchema, AvroType } from './avro-schema.js';
export {
  type ContractFile,
  conventionProblems,
  loadContracts,
  parseSchema,
  recordNameOf,
  schemaText,
  subjectOf,
  topicPattern,
} from './contract-files.js';
export * from './generated/types.js';
export {
  ContractNotRegisteredError,
  createRegistry,
  decodeEvent,
  encodeEvent,
  type Registry,
  schemaIdOf,
} from './registry.js';
export { type EventOf, isTopic, schemaOf, type Topic, topics } from './topics.js';
