import { openApiPaths } from '../../src/platform/http/openapi-route';

describe('openApiPaths: the routes’ OpenAPI fragments merged into the document’s paths', () => {
  const get = { get: { responses: { '200': { description: 'read' } } } };
  const post = { post: { responses: { '201': { description: 'created' } } } };

  it('keeps the paths in the order the routes are given', () => {
    const paths = openApiPaths([
      { path: '/b', item: get },
      { path: '/a', item: get },
    ]);
    expect(Object.keys(paths)).toEqual(['/b', '/a']);
  });

  it('puts two methods of one path in one path item', () => {
    expect(
      openApiPaths([
        { path: '/tickets', item: get },
        { path: '/tickets', item: post },
      ]),
    ).toEqual({ '/tickets': { ...get, ...post } });
  });

  it('refuses a method documented twice for one path, naming the method and the path', () => {
    expect(() =>
      openApiPaths([
        { path: '/tickets', item: get },
        { path: '/tickets', item: get },
      ]),
    ).toThrow('OpenAPI: get of /tickets is documented twice');
  });
});
