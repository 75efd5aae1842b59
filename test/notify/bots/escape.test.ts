import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FULL_WIDTH, fullWidthText } from '../../../src/notify/chat/fullwidth.js';
import { defangUrls, oneLine } from '../../../src/notify/chat/text.js';
import { wecomDialect } from '../../../src/notify/wecom/escape.js';
import { dingtalkDialect } from '../../../src/notify/dingtalk/escape.js';
import { larkText } from '../../../src/notify/feishu/escape.js';
import { HOSTILE } from './fixtures.js';

const FROM_FULL: Record<string, string> = {
  ...Object.fromEntries(Object.entries(FULL_WIDTH).filter(([k]) => k !== '`').map(([k, v]) => [v, k])),
  '＃': '#', '－': '-', '＋': '+', '＝': '=', '．': '.',
};
const unFull = (s: string) => [...s].map((c) => FROM_FULL[c] ?? c).join('');
const decodeEntities = (s: string) =>
  s.replace(/&(amp|lt|gt|#\d+);/g, (_m, e: string) => (e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : String.fromCodePoint(Number(e.slice(1)))));
/** What an escaped value must still say: the input on one line, URLs defanged, backticks as quotes. */
const meaning = (s: string) => defangUrls(oneLine(s));

for (const [name, esc] of [
  ['WeCom', wecomDialect.text],
  ['DingTalk', dingtalkDialect.text],
] as const) {
  test(`${name} markdown: no hostile line can form a tag, mention, link, image, emphasis, code or a new line`, () => {
    for (const s of HOSTILE) {
      const out = esc(s);
      assert.doesNotMatch(out, /[<>[\]*`@&!|~\\\n\r\u0000-\u001f\u202a-\u202e]/, `${JSON.stringify(s)} → ${out}`);
      assert.doesNotMatch(out, /:\/\//, 'no bare URL for the client to linkify');
      assert.doesNotMatch(out, /^([#+=-]|\d+\.\s)/, 'a value cannot open a block');
      // Nothing is lost: mapping the look-alikes back gives the same words.
      assert.equal(unFull(out), meaning(s).replace(/`/g, "'"));
    }
  });
}

test('Feishu lark_md: markup characters become entities, and decode back to the same text', () => {
  for (const s of HOSTILE) {
    const out = larkText(s);
    const bare = out.replace(/&(amp|lt|gt|#\d+);/g, '');
    assert.doesNotMatch(bare, /[<>[\]()*_~`#\\|:@$&\n\r]/, `${JSON.stringify(s)} → ${out}`);
    assert.doesNotMatch(out, /<at|<font|\]\(/);
    assert.doesNotMatch(out, /^([#+=-]|\d+\.\s)/, 'a card field value cannot open a block');
    assert.equal(decodeEntities(out), meaning(s));
  }
});

test('an entity in a log line is shown as written, never decoded into markup', () => {
  const out = larkText('&lt;at id=all&gt;&lt;/at&gt;');
  assert.equal(out, '&#38;lt;at id=all&#38;gt;&#38;lt;/at&#38;gt;');
  assert.equal(fullWidthText('&lt;@all&gt;'), '＆lt;＠all＆gt;');
});

test('oneLine drops controls and bidi overrides and folds whitespace', () => {
  assert.equal(oneLine('a\u202eb\u0007c\n\t d\u200b'), 'a b c d');
});
