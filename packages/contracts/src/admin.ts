// Registering and checking contracts against the registry: what `pnpm contracts:register` and
// `pnpm contracts:check` run, and what the stack calls to register the schemas at start.
import avro from 'avsc';
import type { ContractFile } from './contract-files.js';

/** The compatibility every subject keeps: new readers read every older version's data. */
export const COMPATIBILITY = 'BACKWARD_TRANSITIVE';

const json = 'application/vnd.schemaregistry.v1+json';

export interface RegisterResult {
  subject: string;
  /** The registry's id of the schema. */
  id: number;
  /** False when the subject already held exactly this schema (registering is idempotent). */
  created: boolean;
}

export interface CheckResult {
  subject: string;
  /** new: no such subject yet; unchanged: this exact schema is registered; compatible: would register. */
  verdict: 'new' | 'unchanged' | 'compatible' | 'incompatible';
  /** For `incompatible`: what the registry and the local Avro resolution say is wrong. */
  reasons: string[];
}

async function call(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url.replace(/\/+$/, '')}${path}`, {
    method,
    headers: { accept: json, ...(body === undefined ? {} : { 'content-type': json }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let parsed: unknown = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { message: text };
  }
  return { status: res.status, body: (parsed ?? {}) as Record<string, unknown> };
}

function fail(what: string, res: { status: number; body: Record<string, unknown> }): never {
  throw new Error(`${what}: HTTP ${res.status} ${String(res.body.message ?? JSON.stringify(res.body))}`);
}

const subjectPath = (subject: string) => `/subjects/${encodeURIComponent(subject)}`;

/** The registered versions of a subject; empty when the subject does not exist. */
export async function subjectVersions(url: string, subject: string): Promise<number[]> {
  const res = await call(url, 'GET', `${subjectPath(subject)}/versions`);
  if (res.status === 404) return [];
  if (res.status !== 200) fail(`listing the versions of ${subject}`, res);
  return res.body as unknown as number[];
}

/** The id of exactly this schema text under `subject`, or undefined when it is not registered there. */
async function registeredId(url: string, subject: string, text: string): Promise<number | undefined> {
  const res = await call(url, 'POST', subjectPath(subject), { schema: text, schemaType: 'AVRO' });
  if (res.status === 404) return undefined;
  if (res.status !== 200) fail(`looking up the schema of ${subject}`, res);
  return res.body.id as number;
}

/**
 * Pins the subject to BACKWARD_TRANSITIVE and registers the contract under it (by default `<topic>-value`).
 * Idempotent: the same schema text gets the same id and no new version.
 */
export async function registerContract(
  url: string,
  contract: ContractFile,
  subject: string = contract.subject,
): Promise<RegisterResult> {
  // Per subject, so a global setting changed by hand cannot loosen the contracts.
  const config = await call(url, 'PUT', `/config/${encodeURIComponent(subject)}`, {
    compatibility: COMPATIBILITY,
  });
  if (config.status !== 200) fail(`setting the compatibility of ${subject}`, config);
  const existing = await registeredId(url, subject, contract.text);
  if (existing !== undefined) return { subject, id: existing, created: false };
  const res = await call(url, 'POST', `${subjectPath(subject)}/versions`, {
    schema: contract.text,
    schemaType: 'AVRO',
  });
  if (res.status !== 200) fail(`registering ${contract.file} under ${subject}`, res);
  return { subject, id: res.body.id as number, created: true };
}

/** Registers every contract; stops at the first the registry refuses (an incompatible change). */
export async function registerContracts(
  url: string,
  contracts: readonly ContractFile[],
): Promise<RegisterResult[]> {
  const results: RegisterResult[] = [];
  for (const contract of contracts) results.push(await registerContract(url, contract));
  return results;
}

/**
 * Asks the registry whether the contract could be registered under `subject`: compatible with every
 * registered version (the transitive check), not only the latest.
 */
export async function checkContract(
  url: string,
  contract: ContractFile,
  subject: string = contract.subject,
): Promise<CheckResult> {
  // Apicurio answers "compatible" for a subject that does not exist; Confluent answers 404. Ask first.
  const versions = await subjectVersions(url, subject);
  if (versions.length === 0) return { subject, verdict: 'new', reasons: [] };
  if ((await registeredId(url, subject, contract.text)) !== undefined)
    return { subject, verdict: 'unchanged', reasons: [] };
  // `/versions/latest` checks against the latest version only, even under a transitive level (Apicurio and
  // Confluent alike); without a version the registry applies the subject's level to all versions.
  const res = await call(url, 'POST', `/compatibility${subjectPath(subject)}/versions?verbose=true`, {
    schema: contract.text,
    schemaType: 'AVRO',
  });
  if (res.status !== 200) fail(`checking ${contract.file} against ${subject}`, res);
  if (res.body.is_compatible === true) return { subject, verdict: 'compatible', reasons: [] };
  const reasons = [...registryReasons(res.body), ...(await apicurioReasons(url, subject, contract.text))];
  reasons.push(...(await resolutionReasons(url, subject, versions, contract)));
  if (reasons.length === 0) reasons.push('the registry gave no reason');
  return { subject, verdict: 'incompatible', reasons };
}

/** Checks every contract in turn. */
export async function checkContracts(
  url: string,
  contracts: readonly ContractFile[],
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const contract of contracts) results.push(await checkContract(url, contract));
  return results;
}

/** Confluent lists reasons under `messages` with `?verbose=true`; Apicurio's ccompat API gives none. */
function registryReasons(body: Record<string, unknown>): string[] {
  return Array.isArray(body.messages) ? body.messages.map(String) : [];
}

/**
 * Apicurio's own API explains a rule violation: a dry-run registration (nothing is stored) answers 409
 * with `causes`. Only tried when the URL is Apicurio's ccompat path; any failure just yields no reasons.
 */
async function apicurioReasons(url: string, subject: string, text: string): Promise<string[]> {
  const match = /^(.*)\/apis\/ccompat\/v\d+\/*$/.exec(url);
  if (!match) return [];
  try {
    const res = await fetch(
      `${match[1]}/apis/registry/v3/groups/default/artifacts/${encodeURIComponent(subject)}/versions?dryRun=true`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content: { content: text, contentType: 'application/json' } }),
        signal: AbortSignal.timeout(10_000),
      },
    );
    if (res.status !== 409) return [];
    const problem = (await res.json()) as {
      causes?: { description?: string; context?: string }[];
      title?: string;
    };
    const causes = (problem.causes ?? []).map(
      (c) => `registry: ${c.description ?? '?'} at ${c.context ?? '?'}`,
    );
    return causes.length > 0 ? causes : problem.title ? [`registry: ${problem.title}`] : [];
  } catch {
    return [];
  }
}

/** Avro's own schema resolution against each registered version: names the field and the version. */
async function resolutionReasons(
  url: string,
  subject: string,
  versions: number[],
  contract: ContractFile,
): Promise<string[]> {
  const reader = avro.Type.forSchema(contract.schema as avro.Schema);
  const reasons: string[] = [];
  for (const version of versions) {
    const res = await call(url, 'GET', `${subjectPath(subject)}/versions/${version}`);
    if (res.status !== 200) continue;
    try {
      reader.createResolver(avro.Type.forSchema(JSON.parse(String(res.body.schema)) as avro.Schema));
    } catch (err) {
      reasons.push(`cannot read data written with version ${version}: ${(err as Error).message}`);
    }
  }
  return reasons;
}
