import { isTransientDynamoError } from '../../src/write-store/dynamodb-errors';

/**
 * An error as the SDK (or DynamoJsonClient) shapes it: the exception type as `name`, the service's own message,
 * the HTTP status in metadata.
 */
const serviceError = (name: string, httpStatusCode?: number, message = 'the service refused the request'): Error =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });

describe("the write store's DynamoDB outage classifier", () => {
  it('retries throttling and the service being unavailable or slow', () => {
    // given the exceptions DynamoDB answers when it cannot take the request now, then each is transient
    for (const name of [
      'ProvisionedThroughputExceededException',
      'ThrottlingException',
      'RequestLimitExceeded',
      'InternalServerError',
      'ServiceUnavailable',
      'TimeoutError',
      'RequestTimeout',
      'RequestTimeoutException',
    ]) {
      expect(isTransientDynamoError(serviceError(name, 400))).toBe(true);
    }
  });

  it('retries what the write store itself gives up on for now (unprocessed items, a contended seat stream)', () => {
    expect(isTransientDynamoError(serviceError('UnprocessedRequestsError'))).toBe(true);
    expect(isTransientDynamoError(serviceError('SeatStreamContentionError'))).toBe(true);
  });

  it('retries any 5xx answer, whatever its name', () => {
    // given an unknown exception with status 503, when classified, then the status decides
    expect(isTransientDynamoError(serviceError('SomethingNew', 503))).toBe(true);
    expect(isTransientDynamoError(serviceError('SomethingNew', 500))).toBe(true);
  });

  it('retries a network failure, by code or in the message', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']) {
      expect(isTransientDynamoError(Object.assign(new Error('request failed'), { code }))).toBe(true);
    }
    expect(isTransientDynamoError(new Error('socket hang up'))).toBe(true);
  });

  it('classifies an error from another realm (no `instanceof Error`) by its fields', () => {
    // given a plain object shaped like node:http's error, then it is still recognised
    expect(isTransientDynamoError({ name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:8000' })).toBe(true);
  });

  it('does not retry a bug or a misconfiguration', () => {
    // given errors another attempt would repeat, then none is transient
    expect(
      isTransientDynamoError(serviceError('ValidationException', 400, 'One or more parameter values were invalid')),
    ).toBe(false);
    expect(isTransientDynamoError(serviceError('ResourceNotFoundException', 400, 'Requested resource not found'))).toBe(
      false,
    );
    expect(
      isTransientDynamoError(serviceError('ConditionalCheckFailedException', 400, 'The conditional request failed')),
    ).toBe(false);
    expect(isTransientDynamoError(serviceError('AccessDeniedException', 400))).toBe(false);
    expect(isTransientDynamoError(new TypeError('cannot read properties of undefined'))).toBe(false);
    // a missing table named in the message: "ResourceNotFoundException" contains "eNotFound", not ENOTFOUND
    expect(isTransientDynamoError({ name: 'Error', message: 'ResourceNotFoundException: table' })).toBe(false);
    expect(isTransientDynamoError(null)).toBe(false);
    expect(isTransientDynamoError('ThrottlingException')).toBe(false);
  });
});
