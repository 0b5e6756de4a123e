import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { PUBLISH_FAILURES_METRIC, TournamentEventPublisher } from '../../lambda/publisher/index.ts';
import { LOCAL_AWS } from '../../local/clients.ts';
import { startLocalEndpoint } from '../../local/endpoint.ts';
import { exampleDetail } from '../support/events.ts';
import { closedLoopbackEndpoint } from './support.ts';

describe('the publisher failure metric', () => {
  it('writes one embedded-metric line counting the events a call could not publish', async () => {
    // Prepare: a bus nobody answers on, so every event fails (connection refused, not retried).
    const lines: string[] = [];
    const endpoint = await closedLoopbackEndpoint();
    const publisher = new TournamentEventPublisher({
      client: new EventBridgeClient({ ...LOCAL_AWS, endpoint, maxAttempts: 1 }),
      eventBusName: 'tournaments',
      maxAttempts: 1,
      failureMetric: { service: 'tournament-profile-integration-prod', write: (line) => lines.push(line) },
    });

    // Act
    const result = await publisher.publishMany([
      { detailType: 'MatchFinalized', detail: exampleDetail('MatchFinalized') as never },
      { detailType: 'MatchFinalized', detail: exampleDetail('MatchFinalized', { matchId: 10 }) as never },
    ]);

    // Assess: the shape CloudWatch turns into PublishFailures{service} = 2.
    expect(result.failed).toHaveLength(2);
    expect(lines).toHaveLength(1);
    const emf = JSON.parse(lines[0] as string);
    expect(emf).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'TournamentProfileIntegration',
            Dimensions: [['service']],
            Metrics: [{ Name: PUBLISH_FAILURES_METRIC, Unit: 'Count' }],
          },
        ],
      },
      service: 'tournament-profile-integration-prod',
      [PUBLISH_FAILURES_METRIC]: 2,
    });
    expect(typeof emf._aws.Timestamp).toBe('number');
  });

  it('writes nothing when every event went out', async () => {
    const lines: string[] = [];
    const endpoint = await startLocalEndpoint();
    const client = new EventBridgeClient({ ...LOCAL_AWS, endpoint: endpoint.url });
    try {
      const publisher = new TournamentEventPublisher({
        client,
        eventBusName: endpoint.bus.busName,
        failureMetric: { service: 'tournament-profile-integration', write: (line) => lines.push(line) },
      });
      const result = await publisher.publishMany([
        { detailType: 'MatchFinalized', detail: exampleDetail('MatchFinalized') as never },
      ]);
      expect(result.failed).toEqual([]);
      expect(result.published).toHaveLength(1);
      expect(lines).toEqual([]);
    } finally {
      client.destroy();
      await endpoint.close();
    }
  });
});
