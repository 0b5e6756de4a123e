import { readTimestamp, requireString } from './aws-json.ts';
import type { OperationHandler } from './endpoint.ts';
import { AwsServiceError } from './errors.ts';
import type { LocalEventBus, ReplayState } from './event-bus.ts';
import type { BusIdentity } from './put-events.ts';

/** Name of the local archive, as `DescribeArchive`/`StartReplay` know it. */
export const LOCAL_ARCHIVE_NAME = 'tournaments-archive';

/** Replay names: 1-64 characters of `[.\-_A-Za-z0-9]` (Replay API reference). */
const REPLAY_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

/** ARNs of the local bus and its archive. */
export interface ArchiveArns {
  readonly busArn: string;
  readonly archiveArn: string;
}

/** The ARNs the local bus and its archive have in this account and region. */
export function archiveArns(bus: BusIdentity): ArchiveArns {
  const prefix = `arn:aws:events:${bus.region}:${bus.account}`;
  return {
    busArn: `${prefix}:event-bus/${bus.busName}`,
    archiveArn: `${prefix}:archive/${LOCAL_ARCHIVE_NAME}`,
  };
}

const notFound = (message: string) => new AwsServiceError('ResourceNotFoundException', message);

function replayName(input: Record<string, unknown>): string {
  const name = requireString(input, 'ReplayName');
  if (!REPLAY_NAME.test(name))
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value '${name}' at 'replayName' failed to satisfy constraint: ` +
        'Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ and have length at most 64',
    );
  return name;
}

/** The replay's destination: the bus the archive was created on, and nothing else. */
function checkDestination(input: Record<string, unknown>, arns: ArchiveArns): void {
  const destination = input.Destination as { Arn?: unknown } | undefined;
  if (typeof destination?.Arn !== 'string' || destination.Arn === '')
    throw new AwsServiceError(
      'ValidationException',
      "1 validation error detected: Value null at 'destination' failed to satisfy constraint: Member must not be null",
    );
  if (destination.Arn !== arns.busArn)
    throw new AwsServiceError(
      'ValidationException',
      `Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted: ` +
        `${destination.Arn} is not the archive's event bus ${arns.busArn}.`,
    );
}

function describeReplay(replay: ReplayState, arns: ArchiveArns) {
  return {
    ReplayName: replay.name,
    ReplayArn: `${arns.busArn.replace(/:event-bus\/.*/, '')}:replay/${replay.name}`,
    EventSourceArn: arns.archiveArn,
    Destination: { Arn: arns.busArn },
    State: replay.state,
    StateReason:
      replay.reason ??
      `${replay.replayed} events replayed${replay.skipped ? `, ${replay.skipped} unreadable archive lines skipped` : ''}`,
    EventStartTime: replay.from.getTime() / 1000,
    EventEndTime: replay.to.getTime() / 1000,
    ReplayStartTime: replay.startedAt.getTime() / 1000,
    ...(replay.endedAt ? { ReplayEndTime: replay.endedAt.getTime() / 1000 } : {}),
  };
}

/**
 * `DescribeArchive`, `StartReplay` and `DescribeReplay` on the local archive, refusing what
 * EventBridge refuses: an unknown archive, a destination other than the archive's bus, a reused
 * replay name, and invalid or reversed times.
 */
export function replayOperations(
  eventBus: LocalEventBus<unknown>,
  bus: BusIdentity,
): Record<string, OperationHandler> {
  const arns = archiveArns(bus);
  return {
    'AWSEvents.DescribeArchive': (input) => {
      const name = requireString(input, 'ArchiveName');
      if (name !== LOCAL_ARCHIVE_NAME) throw notFound(`Archive ${name} does not exist.`);
      return {
        ArchiveArn: arns.archiveArn,
        ArchiveName: LOCAL_ARCHIVE_NAME,
        EventSourceArn: arns.busArn,
        State: 'ENABLED',
        EventCount: eventBus.archived,
      };
    },
    'AWSEvents.StartReplay': (input) => {
      const name = replayName(input);
      const source = requireString(input, 'EventSourceArn');
      if (source !== arns.archiveArn)
        throw notFound(
          `Archive ${source} does not exist: EventSourceArn is the archive's ARN (${arns.archiveArn}), not the bus ARN.`,
        );
      checkDestination(input, arns);
      const from = readTimestamp(input.EventStartTime, 'EventStartTime');
      const to = readTimestamp(input.EventEndTime, 'EventEndTime');
      if (from >= to)
        throw new AwsServiceError('ValidationException', 'EventStartTime must be before EventEndTime.');
      if (eventBus.replay(name))
        throw new AwsServiceError('ResourceAlreadyExistsException', `Replay ${name} already exists.`);
      const replay = eventBus.startReplay(name, from, to);
      return {
        ReplayArn: describeReplay(replay, arns).ReplayArn,
        State: 'STARTING',
        ReplayStartTime: replay.startedAt.getTime() / 1000,
      };
    },
    'AWSEvents.DescribeReplay': (input) => {
      const name = replayName(input);
      const replay = eventBus.replay(name);
      if (!replay) throw notFound(`Replay ${name} does not exist.`);
      return describeReplay(replay, arns);
    },
  };
}
