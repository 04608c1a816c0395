import { createDynamoClients } from '../../src/write-store/dynamodb.client';

describe('the DynamoDB clients', () => {
  const endpointOf = (endpoint: string | undefined, region: string): string => {
    const clients = createDynamoClients(endpoint, region);
    clients.destroy();
    return clients.endpoint;
  };

  it("go to AWS's endpoint for the region when no endpoint is set, the SDK's own resolution", () => {
    expect(endpointOf(undefined, 'eu-west-1')).toBe('https://dynamodb.eu-west-1.amazonaws.com');
    expect(endpointOf(undefined, 'cn-north-1')).toBe('https://dynamodb.cn-north-1.amazonaws.com.cn');
  });

  it('go to the given endpoint otherwise', () => {
    expect(endpointOf('http://127.0.0.1:8000', 'us-east-1')).toBe('http://127.0.0.1:8000');
  });
});
