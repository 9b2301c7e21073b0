// The payment service provider, mocked inside the service so incidents can be staged on demand. Its
// behaviour is set globally (PUT /admin/psp) or per request (`psp` in the authorize body, service and admin
// callers only). State is per process on purpose: tests and scenarios steer the instance they talk to.
import { randomUUID } from 'node:crypto';

export const pspBehaviours = ['approve', 'decline', 'fail', 'latency', 'hold'] as const;
export type PspBehaviourName = (typeof pspBehaviours)[number];

export const declineReasons = ['declined', 'insufficient_funds', 'expired_card', 'fraud_suspected'] as const;
export type DeclineReason = (typeof declineReasons)[number];

export interface PspBehaviour {
  behaviour: PspBehaviourName;
  /** Extra delay before answering (`latency`; also added to any other behaviour). */
  ms?: number | undefined;
  /** How long `hold` keeps the authorisation waiting before it approves. */
  holdSeconds?: number | undefined;
  /** What `decline` answers; `declined` by default. */
  declineReason?: DeclineReason | undefined;
}

export type PspAnswer =
  | { outcome: 'approved'; reference: string }
  | { outcome: 'declined'; reason: DeclineReason; detail: string };

/** A transient PSP failure: nothing was charged and the caller may retry. */
export class PspUnavailableError extends Error {
  constructor(message = 'the PSP answered 503') {
    super(message);
    this.name = 'PspUnavailableError';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createMockPsp(options: { maxHoldSeconds: number }) {
  let current: PspBehaviour = { behaviour: 'approve' };

  return {
    get settings(): PspBehaviour {
      return { ...current };
    },
    set(next: PspBehaviour): PspBehaviour {
      current = { ...next };
      return this.settings;
    },
    /** Asks for an authorisation, behaving as `override` or, without one, as the global setting. */
    async authorize(override?: PspBehaviour): Promise<PspAnswer> {
      const b = override ?? current;
      if (b.ms) await sleep(b.ms);
      switch (b.behaviour) {
        case 'decline': {
          const reason = b.declineReason ?? 'declined';
          return { outcome: 'declined', reason, detail: `the issuer answered ${reason}` };
        }
        case 'fail':
          throw new PspUnavailableError();
        case 'hold':
          await sleep(Math.min(b.holdSeconds ?? 0, options.maxHoldSeconds) * 1000);
          break;
        case 'latency':
        case 'approve':
          break;
      }
      return { outcome: 'approved', reference: `psp_${randomUUID()}` };
    },
    /** Capture, void and refund always succeed at the mock PSP; their failures are the ledger's rules. */
    reference(): string {
      return `psp_${randomUUID()}`;
    },
  };
}

export type MockPsp = ReturnType<typeof createMockPsp>;
