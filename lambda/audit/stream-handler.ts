import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { observeInvocation } from '../shared/aws/telemetry.ts';
import { auditUsersOnce, type UsersAudit } from './adapters/audit-sweep.ts';
import { touchedUsers } from './adapters/stream-users.ts';
import { touchedUsersReported } from './adapters/telemetry.ts';
import { type StreamAuditDependencies, streamAuditDependenciesFromEnv } from './wiring.ts';

/**
 * The audit of what changed: for each batch of new activities on the activity table's stream, the
 * users it touched are audited (duplicate activities, statistics drift) and the same metrics as the
 * scheduled sweep's are published, so a duplicate is found within the batching window and one alarm
 * period whatever the size of the table. The sweep stays as the background check of everything.
 */
export function createStreamAudit(deps: StreamAuditDependencies) {
  return (event: DynamoDBStreamEvent, context?: Context): Promise<UsersAudit> =>
    observeInvocation(context, {}, 'audit of touched users failed; the batch is retried', async () => {
      const result = await auditUsersOnce(deps, touchedUsers(event));
      touchedUsersReported(result);
      return result;
    });
}

let deployed: ReturnType<typeof createStreamAudit> | undefined;

/** Lambda entry point (the audit's event source mapping on the activity stream). */
export const handler = (event: DynamoDBStreamEvent, context: Context): Promise<UsersAudit> => {
  deployed ??= createStreamAudit(streamAuditDependenciesFromEnv());
  return deployed(event, context);
};
