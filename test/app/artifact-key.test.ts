import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ARTIFACT_PREFIX, artifactKey, artifactKeyProblem } from '../../core/app/artifact-key.ts';

test('the keys this service makes pass the check', () => {
  const key = artifactKey(crypto.randomUUID());
  assert.ok(key.startsWith(ARTIFACT_PREFIX));
  assert.is(artifactKeyProblem(key), null);
  assert.is(artifactKeyProblem('mastered/take_2.final-mix.wav'), null);
});

test('traversal, encoding, absolute and doubled separators, and other prefixes are refused with a reason', () => {
  const refused: Array<[string, RegExp]> = [
    ['', /empty/],
    ['../etc/passwd', /dot segments/],
    ['mastered/../jobs/x/target', /dot segments/],
    ['mastered/..', /dot segments/],
    ['mastered/a..wav', /dot segments/],
    ['mastered/./x.wav', /dot segments/],
    ['%2e%2e%2fetc%2fpasswd', /percent-encoded/],
    ['mastered%2f..%2f..%2fsecret', /percent-encoded/],
    ['mastered/%2e%2e', /percent-encoded/],
    ['/etc/passwd', /absolute/],
    ['//etc/passwd', /absolute/],
    ['mastered//x.wav', /doubled/],
    ['mastered\\..\\x.wav', /backslash/],
    ['jobs/1/target', /outside the artifact prefix/],
    ['other-bucket/mastered/x.wav', /outside the artifact prefix/],
    ['mastered/', /one file name/],
    ['mastered/a/b.wav', /one file name/],
    ['mastered/.hidden', /one file name/],
    ['mastered/x y.wav', /one file name/],
    [`mastered/${'a'.repeat(600)}`, /longer than 512/],
  ];
  for (const [key, reason] of refused) {
    const problem = artifactKeyProblem(key);
    assert.ok(problem, `accepted ${JSON.stringify(key)}`);
    assert.match(problem!, reason, `${JSON.stringify(key)}: ${problem}`);
  }
});

test.run();
