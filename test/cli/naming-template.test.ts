// `--naming-template`: Python str.format fields and specs, and the errors that stop a batch before it starts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../runtimes/node/cli/args.ts';
import { DEFAULT_NAMING_TEMPLATE, compileNamingTemplate, type NamingFields } from '../../runtimes/node/cli/batch/naming-template.ts';

const fields: NamingFields = {
  index: 7,
  target_name: 'Song One.flac',
  target_stem: 'Song One',
  target_suffix: '.flac',
  reference_name: 'ref.mp3',
  reference_stem: 'ref',
};
const render = (template: string, values: NamingFields = fields) => compileNamingTemplate(template)(values);

test('every field renders as documented', () => {
  assert.is(
    render('{index}|{target_name}|{target_stem}|{target_suffix}|{reference_name}|{reference_stem}'),
    '7|Song One.flac|Song One|.flac|ref.mp3|ref',
  );
});

test('the default template appends _mastered.wav to the target stem', () => {
  assert.is(render(DEFAULT_NAMING_TEMPLATE), 'Song One_mastered.wav');
});

test('index takes zero padding and width like Python', () => {
  assert.is(render('{index:03d}.wav'), '007.wav');
  assert.is(render('{index:03}.wav'), '007.wav');
  assert.is(render('{index:d}.wav'), '7.wav');
  assert.is(render('{index:4d}.wav'), '   7.wav');
  assert.is(render('{index:<4d}.wav'), '7   .wav');
  assert.is(render('{index:_^5d}.wav'), '__7__.wav');
  assert.is(render('{index:02d}.wav', { ...fields, index: 1234 }), '1234.wav', 'width is a minimum, never a cut');
});

test('text fields take width, alignment, fill and precision like Python', () => {
  assert.is(render('{reference_stem:>6}'), '   ref');
  assert.is(render('{reference_stem:*<6s}'), 'ref***');
  assert.is(render('{target_stem:.4}'), 'Song');
  assert.is(render('{target_stem:-^12.4s}'), '----Song----');
});

test('doubled braces are literal braces', () => {
  assert.is(render('{{{index}}}.wav'), '{7}.wav');
});

test('mistakes are usage errors that name the problem', () => {
  const cases: Array<[string, RegExp]> = [
    ['{title}.wav', /unknown field \{title\} \(fields: index, target_name, target_stem, target_suffix, reference_name, reference_stem\)/],
    ['{target_stem:03d}.wav', /uses 'd' but target_stem is text/],
    ['{index:s}.wav', /uses 's' but index is a number/],
    ['{index:.2d}.wav', /precision/],
    ['{index!r}.wav', /unknown field \{index!r\}/],
    ['{index:x}.wav', /is not a format spec this template supports/],
    ['{index.wav', /a '\{' is never closed/],
    ['index}.wav', /a single '\}'/],
  ];
  for (const [template, message] of cases) {
    try {
      compileNamingTemplate(template);
      assert.unreachable(template);
    } catch (error) {
      assert.instance(error, UsageError, template);
      assert.match((error as Error).message, message, template);
    }
  }
});

test.run();
