import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument } from '../../src/openapi/openapi.document';

/**
 * The generated document against the committed one: same paths, operations, schemas and order of keys
 * (compared as compact JSON, so the fixture may stay prettier-formatted). A change to a route's documentation
 * shows up as a diff of the fixture, reviewed with the code. To accept one:
 *   npm run build && node -e "console.log(JSON.stringify(require('./dist/openapi/openapi.document').buildOpenApiDocument('0.0.0')))" > test/fixtures/openapi-document.json && npx prettier --write test/fixtures/openapi-document.json
 */
const FIXTURE = join(__dirname, '..', 'fixtures', 'openapi-document.json');

describe('the OpenAPI document', () => {
  it('is exactly the committed fixture (paths, operations, schemas, order of keys)', () => {
    const committed = JSON.stringify(JSON.parse(readFileSync(FIXTURE, 'utf8')));
    expect(JSON.stringify(buildOpenApiDocument('0.0.0'))).toBe(committed);
  });
});
