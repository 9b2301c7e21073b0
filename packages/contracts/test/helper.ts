import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stackEnv } from '@shop/testing';
import { type ContractFile, loadContracts, schemaText } from '../src/contract-files.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const repoRoot = path.resolve(here, '../../..');
export const contractsDir = path.join(repoRoot, 'schema-contracts');
export const registryUrl = stackEnv().SCHEMA_REGISTRY_URL!;

export function contract(topic: string): ContractFile {
  const found = loadContracts(contractsDir).find((c) => c.topic === topic);
  if (!found) throw new Error(`no contract ${topic}`);
  return found;
}

/** A copy of a contract with its schema changed by `edit` (the schema object is a deep copy). */
export function variant(base: ContractFile, edit: (schema: ContractFile['schema']) => void): ContractFile {
  const schema = structuredClone(base.schema);
  edit(schema);
  return { ...base, schema, text: schemaText(schema) };
}

/** A subject no other run uses; never one of the real `<topic>-value` subjects. */
export function throwawaySubject(topic: string): string {
  return `contracts-test.${randomUUID().slice(0, 8)}.${topic}-value`;
}

/** Confluent semantics: a soft delete first, then the permanent one. */
export async function deleteSubject(subject: string): Promise<void> {
  const url = `${registryUrl}/subjects/${encodeURIComponent(subject)}`;
  await fetch(url, { method: 'DELETE', signal: AbortSignal.timeout(10_000) });
  await fetch(`${url}?permanent=true`, { method: 'DELETE', signal: AbortSignal.timeout(10_000) });
}
