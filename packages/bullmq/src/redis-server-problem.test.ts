import { isVersionBelow, MINIMUM_REDIS_VERSION, redisServerProblem } from './redis-server-problem';

// The machine's redis-server is 7.x, so an older server is met here only as its INFO reply
// (what start() reads); a cluster node is met for real in redis-connection.test.ts.
const info = (version: string, clusterEnabled = 0) => `# Server\r\nredis_version:${version}\r\nredis_mode:standalone\r\n\r\n# Cluster\r\ncluster_enabled:${clusterEnabled}\r\n`;

describe('redisServerProblem: a server the BullMQ queue cannot run on', () => {
  it('names a version below the minimum, which BullMQ alone would start on (5.0) until hookwork\'s LPOS lookup failed', () => {
    expect(redisServerProblem(info('6.0.5'), 'redis://db:6379')).toBe(
      `Redis at redis://db:6379 is version 6.0.5, and the BullMQ queue needs ${MINIMUM_REDIS_VERSION} or later (its scripts use commands older servers lack); upgrade Redis, or give bullmqQueue({ connection }) a newer server`,
    );
    expect(redisServerProblem(info('5.0.14'), 'redis://db:6379', 'removeBullmqQueue')).toMatch(/version 5\.0\.14, .*give removeBullmqQueue\(\{ connection \}\) a newer server/);
    expect(redisServerProblem(info('6.1.99'), 'x')).toMatch(/version 6\.1\.99/);
  });

  it('takes the minimum and later, whatever follows the digits, and says nothing when INFO has no version', () => {
    for (const version of ['6.2.0', '6.2.14', '7.0.15', '7.2.4-rc1', '10.0.0']) expect(redisServerProblem(info(version), 'x')).toBeUndefined();
    expect(redisServerProblem('cluster_enabled:0\r\n', 'x')).toBeUndefined();
  });

  it('names cluster mode before the version', () => {
    expect(redisServerProblem(info('7.0.15', 1), 'redis://node:7000')).toMatch(/^Redis at redis:\/\/node:7000 runs in cluster mode \(cluster_enabled:1\)/);
  });

  it('names a replica and its primary', () => {
    expect(redisServerProblem(`${info('7.0.15')}role:slave\r\nmaster_host:10.0.0.5\r\nmaster_port:6380\r\n`, 'redis://r:6379')).toMatch(/^Redis at redis:\/\/r:6379 is a replica \(role:slave, of 10\.0\.0\.5:6380\), .*give bullmqQueue\(\{ connection \}\) the primary$/);
    expect(redisServerProblem(`${info('7.0.15')}role:master\r\n`, 'x')).toBeUndefined();
  });

  it('compares versions part by part, as numbers', () => {
    expect(isVersionBelow('6.10.0', '6.2.0')).toBe(false);
    expect(isVersionBelow('6.2', '6.2.0')).toBe(false);
    expect(isVersionBelow('6.1.9', '6.2.0')).toBe(true);
    expect(isVersionBelow('10.0.0', '9.9.9')).toBe(false);
  });
});
