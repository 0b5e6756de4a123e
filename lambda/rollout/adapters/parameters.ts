import {
  GetParameterCommand,
  GetParameterHistoryCommand,
  type ParameterHistory,
  ParameterNotFound,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { ArmingPorts, FlagPorts, FlagVersion } from '../application/flag.ts';
import { NOT_ARMED, type RolloutArming } from '../constants.ts';
import { RolloutAwsError } from '../errors.ts';

/** The flag, the value a rollback saved and the rollout state, in SSM Parameter Store. */

async function getParameter(ssm: SSMClient, name: string) {
  try {
    return (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter;
  } catch (error) {
    if (error instanceof ParameterNotFound) return undefined;
    throw new RolloutAwsError(`cannot read SSM parameter ${name}: check the role's ssm:GetParameter`, {
      cause: error,
    });
  }
}

async function putValue(ssm: SSMClient, name: string, value: string, description?: string): Promise<void> {
  try {
    await ssm.send(
      new PutParameterCommand({
        Name: name,
        Value: value,
        Type: 'String',
        Overwrite: true,
        ...(description !== undefined ? { Description: description } : {}),
      }),
    );
  } catch (error) {
    throw new RolloutAwsError(`cannot write SSM parameter ${name}: check the role's ssm:PutParameter`, {
      cause: error,
    });
  }
}

/** The version of an SSM parameter (changes on every write), or `undefined` when it does not exist. */
export async function parameterVersion(ssm: SSMClient, name: string): Promise<number | undefined> {
  return (await getParameter(ssm, name))?.Version;
}

/** The flag and its `previous` parameter. */
export function ssmFlagPorts(ssm: SSMClient, flagName: string, previousName: string): FlagPorts {
  return {
    readFlag: async () => (await getParameter(ssm, flagName))?.Value,
    writeFlag: (value, description) => putValue(ssm, flagName, value, description),
    readPrevious: async () => (await getParameter(ssm, previousName))?.Value,
    savePrevious: (value) => putValue(ssm, previousName, value),
  };
}

/** Reads the rollout state's JSON; a parameter that is absent (an older stack) arms nothing. */
export function parseArming(name: string, text: string | undefined): RolloutArming {
  if (text === undefined) return NOT_ARMED;
  try {
    const parsed = JSON.parse(text) as Partial<RolloutArming>;
    if (typeof parsed.armedUntil !== 'number') throw new Error('armedUntil is not a number');
    return parsed as RolloutArming;
  } catch (error) {
    throw new RolloutAwsError(
      `SSM parameter ${name} does not hold a rollout state (${(error as Error).message}): put {"armedUntil":0} in it to disarm, or start a rollout`,
      { cause: error },
    );
  }
}

/** The rollout state parameter (`<flag>/rollout-state`): the arming and a pending raise. */
export function ssmArmingPorts(ssm: SSMClient, stateName: string): ArmingPorts {
  return {
    readArming: async () => parseArming(stateName, (await getParameter(ssm, stateName))?.Value),
    writeArming: (arming) => putValue(ssm, stateName, JSON.stringify(arming)),
  };
}

const versionOf = (entry: ParameterHistory): FlagVersion => ({
  value: entry.Value ?? '',
  version: entry.Version ?? 0,
  description: entry.Description,
  user: entry.LastModifiedUser,
});

/**
 * The flag's last two versions, oldest first, with each one's description and the IAM identity that
 * wrote it, from `GetParameterHistory` (oldest first, at most 50 a page; SSM keeps 100 versions).
 */
export async function latestFlagVersions(ssm: SSMClient, flagName: string): Promise<FlagVersion[]> {
  const versions: FlagVersion[] = [];
  let NextToken: string | undefined;
  try {
    do {
      const page = await ssm.send(
        new GetParameterHistoryCommand({ Name: flagName, MaxResults: 50, NextToken }),
      );
      versions.push(...(page.Parameters ?? []).map(versionOf));
      NextToken = page.NextToken;
    } while (NextToken);
  } catch (error) {
    if (error instanceof ParameterNotFound) return [];
    throw new RolloutAwsError(
      `cannot read the history of SSM parameter ${flagName}: check the role's ssm:GetParameterHistory`,
      { cause: error },
    );
  }
  return versions.sort((a, b) => a.version - b.version).slice(-2);
}
