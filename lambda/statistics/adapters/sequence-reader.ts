import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { queryCount } from '../../shared/aws/paging.ts';
import { classifyStoreError } from '../../shared/aws/store-errors.ts';
import type { SequenceReader } from '../domain/overlay.ts';
import type { BreakItem, SequenceMatch } from '../domain/sequence.ts';
import {
  breakOfItem,
  breakSk,
  justAfter,
  justBefore,
  rangeEnd,
  rangePrefix,
  winSk,
} from '../domain/sequence-items.ts';

/** A key range of one user's partition, both bounds included. */
interface KeyRange {
  readonly from: string;
  readonly to: string;
}

/**
 * One user's sequences in the statistics table, read strongly consistent: the next or previous
 * break is a Query of one item in the scope's break range, the break at a position a Query of its key,
 * the wins between two positions a `Select: COUNT` Query over the scope's win range between them
 * (it reads those wins' keys and nothing else), the last matches two Queries of at most `n` items.
 */
export class DynamoSequenceReader implements SequenceReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly userId: string,
  ) {}

  async nextBreak(scope: string, pos: string): Promise<BreakItem | undefined> {
    const prefix = rangePrefix('break', scope);
    const [item] = await this.query(
      { from: justAfter(breakSk(scope, pos)), to: rangeEnd(prefix) },
      'next',
      1,
    );
    return item && breakOfItem(item, prefix);
  }

  async prevBreak(scope: string, pos: string): Promise<BreakItem | undefined> {
    const prefix = rangePrefix('break', scope);
    const [item] = await this.query({ from: prefix, to: justBefore(breakSk(scope, pos)) }, 'prev', 1);
    return item && breakOfItem(item, prefix);
  }

  async breakAt(scope: string, pos: string): Promise<BreakItem | undefined> {
    // A range of one key: one Query, the reader's only kind of read (the role grants no GetItem).
    const sk = breakSk(scope, pos);
    const [item] = await this.query({ from: sk, to: sk }, 'next', 1);
    return item && breakOfItem(item, rangePrefix('break', scope));
  }

  async countWins(scope: string, afterPos: string | undefined, beforePos: string): Promise<number> {
    const from = afterPos === undefined ? rangePrefix('win', scope) : justAfter(winSk(scope, afterPos));
    const to = justBefore(winSk(scope, beforePos));
    if (from > to) return 0;
    return this.send('counting wins', () =>
      queryCount(this.client, { ...this.rangeInput({ from, to }), ConsistentRead: true }),
    );
  }

  async lastMatches(scope: string, beforePos: string | undefined, n: number): Promise<SequenceMatch[]> {
    if (n <= 0) return [];
    const before = (kind: 'win' | 'break') => {
      const prefix = rangePrefix(kind, scope);
      const to = beforePos === undefined ? rangeEnd(prefix) : justBefore(`${prefix}${beforePos}`);
      return this.query({ from: prefix, to }, 'prev', n);
    };
    const [wins, breaks] = await Promise.all([before('win'), before('break')]);
    const winPrefix = rangePrefix('win', scope);
    const matches: SequenceMatch[] = [
      ...wins.map((item) => ({ pos: String(item.sk).slice(winPrefix.length), outcome: 'W' as const })),
      ...breaks.map((item) => {
        const { pos, outcome } = breakOfItem(item, rangePrefix('break', scope));
        return { pos, outcome };
      }),
    ];
    return matches.sort((a, b) => (a.pos > b.pos ? -1 : 1)).slice(0, n);
  }

  /** At most `limit` items of a range, from its start (`next`) or its end (`prev`). */
  private async query(
    range: KeyRange,
    from: 'next' | 'prev',
    limit: number,
  ): Promise<Record<string, unknown>[]> {
    if (range.from > range.to) return [];
    const { Items } = await this.send('reading sequence items', () =>
      this.client.send(
        new QueryCommand({
          ...this.rangeInput(range),
          ScanIndexForward: from === 'next',
          Limit: limit,
          ConsistentRead: true,
        }),
      ),
    );
    return Items ?? [];
  }

  private rangeInput(range: KeyRange) {
    return {
      TableName: this.tableName,
      KeyConditionExpression: '#u = :u AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#u': 'userId', '#sk': 'sk' },
      ExpressionAttributeValues: { ':u': this.userId, ':from': range.from, ':to': range.to },
    };
  }

  private async send<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw classifyStoreError(error, `${action} of user ${this.userId}`);
    }
  }
}
