import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';

/** A DynamoDB item as the document client returns it. */
export type Item = Record<string, unknown>;

/** The key a page stopped at (`LastEvaluatedKey`), where the next page starts (`ExclusiveStartKey`). */
export type PageKey = Record<string, unknown>;

/** One page as DynamoDB answers a Query or a Scan. */
interface Page {
  readonly Items?: Item[] | undefined;
  readonly Count?: number | undefined;
  readonly LastEvaluatedKey?: PageKey | undefined;
}

/** Every page `read` returns, each from where the one before stopped: the one paging loop. */
async function* rawPagesOf(read: (start: PageKey | undefined) => Promise<Page>): AsyncGenerator<Page> {
  let start: PageKey | undefined;
  do {
    const page = await read(start);
    yield page;
    start = page.LastEvaluatedKey;
  } while (start);
}

/** The items of every page `read` returns. */
async function* pagesOf(read: (start: PageKey | undefined) => Promise<Page>): AsyncGenerator<Item[]> {
  for await (const page of rawPagesOf(read)) yield page.Items ?? [];
}

/**
 * Every page of a Query, one after another: how the integration reads a partition or the erasure
 * log to its end. A page is read only when the caller asks for it, so a caller that stops early
 * reads no further. (An erasure pages by hand, through its port: it deletes each page before it
 * reads the next.)
 */
export function queryPages(
  client: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): AsyncGenerator<Item[]> {
  return pagesOf((ExclusiveStartKey) => client.send(new QueryCommand({ ...input, ExclusiveStartKey })));
}

/**
 * The number of items a Query matches, with `Select: COUNT`: DynamoDB returns counts, not items,
 * and stops each page at 1 MB read, so the count is summed over every page.
 */
export async function queryCount(
  client: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Select'>,
): Promise<number> {
  let count = 0;
  const pages = rawPagesOf((ExclusiveStartKey) =>
    client.send(new QueryCommand({ ...input, Select: 'COUNT', ExclusiveStartKey })),
  );
  for await (const page of pages) count += page.Count ?? 0;
  return count;
}

/** Every page of a Scan, one after another, read as the caller asks for them. */
export function scanPages(
  client: DynamoDBDocumentClient,
  input: Omit<ScanCommandInput, 'ExclusiveStartKey'>,
): AsyncGenerator<Item[]> {
  return pagesOf((ExclusiveStartKey) => client.send(new ScanCommand({ ...input, ExclusiveStartKey })));
}

/** Every item the pages hold, in order. */
export async function allItems(pages: AsyncIterable<Item[]>): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of pages) items.push(...page);
  return items;
}

/**
 * Every item of one user's partition, strongly consistent. Only audit and repair read a whole
 * partition: the hot paths never depend on a user's history.
 */
export function userPartition(
  client: DynamoDBDocumentClient,
  tableName: string,
  userId: string,
): Promise<Item[]> {
  return allItems(
    queryPages(client, {
      TableName: tableName,
      KeyConditionExpression: '#u = :u',
      ExpressionAttributeNames: { '#u': 'userId' },
      ExpressionAttributeValues: { ':u': userId },
      ConsistentRead: true,
    }),
  );
}
