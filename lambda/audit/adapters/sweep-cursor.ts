import {
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { SweepCursor } from './audit-sweep.ts';

/** What the parameter holds when the sweep is to start from the beginning. */
const START = 'start';

/** Where the scheduled audit's sweep stopped, kept in an SSM parameter the function owns. */
export interface SweepCursorStore {
  read(): Promise<SweepCursor>;
  save(cursor: SweepCursor): Promise<void>;
}

/** The sweep position in the SSM parameter `name`; an absent parameter means "from the start". */
export function ssmSweepCursor(ssm: SSMClient, name: string): SweepCursorStore {
  return {
    async read() {
      try {
        const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name }));
        const value = Parameter?.Value;
        return value && value !== START ? (JSON.parse(value) as SweepCursor) : undefined;
      } catch (error) {
        if (error instanceof ParameterNotFound) return undefined;
        throw error;
      }
    },
    async save(cursor) {
      await ssm.send(
        new PutParameterCommand({
          Name: name,
          Value: cursor ? JSON.stringify(cursor) : START,
          Type: 'String',
          Overwrite: true,
        }),
      );
    },
  };
}
