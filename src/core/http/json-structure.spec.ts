import { jsonStructureProblem } from './json-structure.js';

describe('jsonStructureProblem', () => {
  it.each([
    ['a flat object', '{"a":1,"b":"x"}'],
    ['the same name in sibling objects', '[{"a":1},{"a":2}]'],
    ['the same name in nested objects', '{"a":{"a":{"a":1}}}'],
    ['a value equal to a name', '{"a":"a","b":"a"}'],
    ['brackets and quotes inside strings', '{"a":"[[[[{{{\\"}}}","b":"\\\\"}'],
    ['depth exactly at the limit', '[[[1]]]'],
    ['not JSON at all (left to JSON.parse)', '{"a": '],
  ])('accepts %s', (_label, text) => {
    expect(jsonStructureProblem(text, 3)).toBeNull();
  });

  it('refuses one level past the limit, arrays and objects alike', () => {
    expect(jsonStructureProblem('[[[[1]]]]', 3)).toEqual({ problem: 'too_deep', max_depth: 3 });
    expect(jsonStructureProblem('{"a":{"b":{"c":{}}}}', 3)).toEqual({ problem: 'too_deep', max_depth: 3 });
  });

  it('refuses 5000 levels without recursion', () => {
    expect(jsonStructureProblem(`${'['.repeat(5000)}${']'.repeat(5000)}`, 16)).toEqual({
      problem: 'too_deep',
      max_depth: 16,
    });
  });

  it('refuses duplicate names, escaped spellings and whitespace before the colon included', () => {
    expect(jsonStructureProblem('{"qty":"1","qty":"1000"}', 8)).toEqual({ problem: 'duplicate_key', key: 'qty' });
    expect(jsonStructureProblem('{"qty":"1","q\\u0074y" : "1000"}', 8)).toEqual({
      problem: 'duplicate_key',
      key: 'qty',
    });
    expect(jsonStructureProblem('{"o":{"x":1,"x":2}}', 8)).toEqual({ problem: 'duplicate_key', key: 'x' });
  });

  it('a closed object forgets its names', () => {
    expect(jsonStructureProblem('{"a":{"b":1},"c":{"b":2}}', 8)).toBeNull();
  });
});
