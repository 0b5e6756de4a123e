import { ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';

/** ARNs of the rollout machine's RUNNING executions other than `self`: one rollout at a time. */
export async function otherRunningExecutions(
  sfn: SFNClient,
  stateMachineArn: string,
  self: string | undefined,
): Promise<string[]> {
  const running: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', nextToken }),
    );
    for (const execution of page.executions ?? [])
      if (execution.executionArn && execution.executionArn !== self) running.push(execution.executionArn);
    nextToken = page.nextToken;
  } while (nextToken);
  return running;
}
