import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routingRules } from '../../infra/routing.ts';
import type { BridgeEvent } from '../../lambda/shared/contract/events.ts';
import { LocalEventBus, type LocalEventBusOptions } from '../../local/event-bus.ts';
import { bridgeEvent, exampleDetail } from './events.ts';

/** A routed event as the bus receives it, with a chosen id. */
export const checkInEvent = (id: string): BridgeEvent =>
  bridgeEvent('CheckInToggled', exampleDetail('CheckInToggled'), { id, account: '000000000000' });

/**
 * Runs `use` with a bus over the declared routing rules that tries a delivery twice, archiving to a
 * temporary folder, then closes the bus and removes the folder.
 */
export async function withBus(
  options: Omit<LocalEventBusOptions<string>, 'rules' | 'archiveFile'>,
  use: (bus: LocalEventBus<string>) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tpi-bus-'));
  const bus = new LocalEventBus<string>({
    rules: routingRules('tournaments'),
    archiveFile: join(dir, 'archive.jsonl'),
    deliveryAttempts: 2,
    retryBaseMs: 1,
    ...options,
  });
  try {
    await use(bus);
  } finally {
    await bus.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
